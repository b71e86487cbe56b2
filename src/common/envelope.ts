import { ResultCode } from './result-code';

/** The body of every JSON response (docs/front-end-contract.md). */
export interface Envelope<T = unknown> {
  success: boolean;
  data: T | null;
  code: number;
  message: string;
}

export function ok<T>(data: T): Envelope<T> {
  return { success: true, data: data === undefined ? null : data, code: ResultCode.Ok, message: '' };
}

export function fail(code: ResultCode, message: string): Envelope<null> {
  return { success: false, data: null, code, message };
}
