import type { SdTryOutcome } from '../../metrics/sd.metrics';
import { WebUiError } from './sd-webui.error';

/** What the metrics need of one try: whether it was set aside as stalled, and whether we gave it up. */
export interface EndedTry {
  stalled?: boolean;
  controller: AbortController;
}

/** How a try ended, told apart for the metrics: a stalled try we then gave up counts as stalled, not cancelled. */
export function tryOutcome(attempt: EndedTry, outcome: unknown): SdTryOutcome {
  if (!(outcome instanceof WebUiError)) return 'ok';
  if (attempt.stalled) return 'stalled';
  return attempt.controller.signal.aborted ? 'cancelled' : 'failed';
}
