import { participantId } from './participant-id';

describe('participantId', () => {
  it('is the same ObjectId for the same name, every time', () => {
    expect(participantId('alice').toHexString()).toBe(participantId('alice').toHexString());
    expect(participantId('alice').toHexString()).toMatch(/^[0-9a-f]{24}$/);
  });

  it('differs for names that differ only in case, spacing or normalisation', () => {
    const names = ['alice', 'Alice', 'alice ', ' alice', 'café', 'cafe\u0301', '设计师', '设计师1'];
    const ids = new Set(names.map((name) => participantId(name).toHexString()));
    expect(ids.size).toBe(names.length);
  });
});
