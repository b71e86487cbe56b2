import { createHash } from 'node:crypto';
import { Types } from 'mongoose';

const PREFIX = 'inspilot:participant:';

/**
 * A participant's id, derived from the name: every lookup of a participant's records is by
 * `_id` (the lookup the embedded database answers from an index; any other filter reads the
 * whole collection), and racing first visits agree on it without asking the database.
 * 96 bits of SHA-256: two names sharing one is not a practical concern, but it is checked.
 */
export function participantId(username: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(PREFIX + username, 'utf8').digest().subarray(0, 12));
}
