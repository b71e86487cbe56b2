import type { SetAsideReason } from './sd-instance.state';
import type { CallOptions, SdWebUiClient, WebUiProgress } from './sd-webui.client';
import type { WebUiError } from './sd-webui.error';

/** An instance set aside, as a prober sees it; the pool behind it may be this process or shared. */
export interface ProofSubject {
  url: string;
  /** The progress marker the instance showed at the previous look, if it was busy then. */
  lastMarker?: string;
  /** Holds a slot for the probe image; false when none is free (someone's job still runs there). */
  takeSlot(): boolean | Promise<boolean>;
  releaseSlot(): void | Promise<void>;
  setAside(reason: SetAsideReason, error: string): void | Promise<void>;
  probing(): void | Promise<void>;
}

/** Proved, or not yet; `marker` is the progress to compare with at the next look. */
export type Proof = { proved: true } | { proved: false; marker?: string };

/**
 * One look at an instance set aside. Answering HTTP is not proof: it must be idle by its
 * progress, then make a tiny image in time. A busy instance whose job has not moved since the
 * previous look is stuck.
 */
export async function proveInstance(client: SdWebUiClient, subject: ProofSubject, options: CallOptions): Promise<Proof> {
  let progress: WebUiProgress;
  try {
    progress = await client.progress(subject.url, options);
  } catch (error) {
    await subject.setAside('failing', `progress: ${(error as Error).message}`);
    return { proved: false, marker: subject.lastMarker };
  }
  // No test job piled onto a busy instance.
  if (progress.busy || !(await subject.takeSlot())) {
    if (progress.busy && subject.lastMarker === progress.marker) await subject.setAside('stalled', 'a job makes no progress');
    return { proved: false, marker: progress.marker };
  }
  try {
    await subject.probing();
    await client.probe(subject.url, options);
    return { proved: true };
  } catch (error) {
    const failure = error as WebUiError;
    await subject.setAside(failure.timedOut ? 'stalled' : 'failing', `probe image: ${failure.message}`);
    // The tiny job may still hold the GPU: stop it before the slot counts as free again.
    if (failure.timedOut) await client.interrupt(subject.url, options).catch(() => undefined);
    return { proved: false };
  } finally {
    await subject.releaseSlot();
  }
}
