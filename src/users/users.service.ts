import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { participantId } from './participant-id';
import { User } from './user.schema';
import { UsersRepository } from './users.repository';

export interface Participant {
  /** The `_id` as the API shows it: 24 hex digits. */
  id: string;
  username: string;
  createdAt: Date;
}

/** A stored user whose `_id` is not derived from its name: written by an earlier version. */
export interface LegacyUser {
  legacyId: Types.ObjectId;
  username: string;
  createdAt: Date;
}

/** Participants: identity and lookup. What an app stores for a participant lives with the app. */
@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  idOf(username: string): Types.ObjectId {
    return participantId(username);
  }

  async find(username: string): Promise<Participant | null> {
    const user = await this.users.findById(participantId(username));
    return user ? toParticipant(user, username) : null;
  }

  /** The participant, created on the first visit. */
  async findOrCreate(username: string, createdAt = new Date()): Promise<Participant> {
    const found = await this.find(username);
    if (found) return found;
    const _id = participantId(username);
    await this.users.insertIfAbsent({ _id, username, createdAt });
    const stored = await this.users.findById(_id);
    if (!stored) throw new Error(`User "${username}" could not be stored: the name is taken under another _id (an unmigrated user?)`);
    return toParticipant(stored, username);
  }

  /** Users stored by an earlier version, under ids not derived from their names. */
  async legacyUsers(): Promise<LegacyUser[]> {
    const all = await this.users.listAll();
    return all
      .filter((user) => typeof user.username === 'string' && !participantId(user.username).equals(user._id))
      .map((user) => ({ legacyId: user._id, username: user.username, createdAt: user.createdAt instanceof Date ? user.createdAt : new Date() }));
  }

  /** A legacy user's document as stored, with whatever apps kept on it then. */
  legacyRecord(user: LegacyUser): Promise<Record<string, unknown> | null> {
    return this.users.findStored(user.legacyId);
  }

  /**
   * Moves a legacy user to its derived `_id`. The old document goes first (its username is
   * unique); should the process stop in between, the next visit creates the user again.
   */
  async replaceLegacy(user: LegacyUser): Promise<Participant> {
    await this.users.deleteById(user.legacyId);
    return this.findOrCreate(user.username, user.createdAt);
  }
}

function toParticipant(user: User, username: string): Participant {
  // Two names whose ids share 96 bits would otherwise share one record.
  if (user.username !== username) throw new Error(`Users "${username}" and "${user.username}" have the same derived _id ${user._id}`);
  return { id: user._id.toHexString(), username, createdAt: user.createdAt };
}
