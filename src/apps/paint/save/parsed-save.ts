import type { SchemeField } from '../stages';

/** One blob of a save: its SHA-256 and where its bytes are in ParsedSave.bytes. */
export interface ParsedBlob {
  sha256: string;
  start: number;
  end: number;
}

/** A scheme as stored: its text blob and its sketches' blobs, each with where it goes back in. */
export interface ParsedScheme {
  text: number;
  sketches: Array<{ at: number; blob: number }>;
}

/**
 * A validated /paint/save body, turned into what is stored. Only strings, numbers and one
 * buffer, so it crosses from the worker without the cost of copying objects.
 */
export interface ParsedSave {
  username: string;
  currentStage: string;
  /** designTask's JSON text, kept as text so control characters and unpaired surrogates survive the database. */
  designTaskJson: string;
  /** The schemes of each stage sent; a stage absent here keeps what was stored. */
  stages: Partial<Record<SchemeField, ParsedScheme[]>>;
  /** Each distinct blob once; schemes refer to them by index. */
  blobs: ParsedBlob[];
  bytes: Uint8Array;
}

export type SaveBodyResult = { ok: true; save: ParsedSave } | { ok: false; problem: string };
