import type { CreativeEventDto, DoneEventDto, FailedEventDto, ImageEventDto, StepEventDto } from './dto/job-event.dto';

/** What each event of a job's stream carries, by event name. */
export interface JobEventData {
  step: StepEventDto;
  image: ImageEventDto;
  creative: CreativeEventDto;
  done: DoneEventDto;
  failed: FailedEventDto;
}

export type JobEventName = keyof JobEventData;

export const JOB_EVENT_NAMES: readonly JobEventName[] = ['step', 'image', 'creative', 'done', 'failed'];

/** One event of a job: `id` counts from 1 in the order the events happened. */
export type JobEvent = { [K in JobEventName]: { id: number; event: K; data: JobEventData[K] } }[JobEventName];

/** `done` and `failed` end a job's stream. */
export function isFinal(event: Pick<JobEvent, 'event'>): boolean {
  return event.event === 'done' || event.event === 'failed';
}
