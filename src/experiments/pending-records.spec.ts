import { PendingRecord, PendingRecords } from './pending-records';

const T0 = new Date('2026-11-20T10:00:00Z');

/** A record whose writes finish when the test says so. */
function pending(id: string, fields: Partial<PendingRecord> = {}) {
  let finish!: () => void;
  const flushing = new Promise<void>((resolve) => (finish = resolve));
  const record: PendingRecord = { id, appId: 0, type: 0, username: 'alice', status: 'succeeded', startedAt: T0, flushing, ...fields };
  return { record, finish };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('PendingRecords', () => {
  it('gives a read of one record only that record to wait for', () => {
    const records = new PendingRecords();
    const a = pending('a');
    const b = pending('b');
    records.add(a.record);
    records.add(b.record);
    expect(records.of('a')).toEqual([a.record.flushing]);
    expect(records.of('c')).toEqual([]);
  });

  it('gives a filtered read the records it could include, by every filter field', () => {
    const records = new PendingRecords();
    const alice0 = pending('alice0');
    const bob2 = pending('bob2', { username: 'bob', type: 2, status: 'failed', startedAt: new Date(T0.getTime() + 1000) });
    const nobody = pending('nobody', { username: undefined, appId: 3 });
    for (const { record } of [alice0, bob2, nobody]) records.add(record);
    const ids = (writes: Promise<void>[]) =>
      [alice0, bob2, nobody].filter(({ record }) => writes.includes(record.flushing)).map(({ record }) => record.id);

    expect(ids(records.matching({}))).toEqual(['alice0', 'bob2', 'nobody']);
    expect(ids(records.matching({ username: 'alice' }))).toEqual(['alice0']);
    expect(ids(records.matching({ type: 2 }))).toEqual(['bob2']);
    expect(ids(records.matching({ appId: 3 }))).toEqual(['nobody']);
    expect(ids(records.matching({ status: 'failed' }))).toEqual(['bob2']);
    expect(ids(records.matching({ from: new Date(T0.getTime() + 1) }))).toEqual(['bob2']);
    expect(ids(records.matching({ to: new Date(T0.getTime() + 1) }))).toEqual(['alice0', 'nobody']);
    expect(ids(records.matching({ username: 'alice', type: 2 }))).toEqual([]);
    expect(ids(records.all())).toEqual(['alice0', 'bob2', 'nobody']);
  });

  it('forgets a record once it is written, and only that one', async () => {
    const records = new PendingRecords();
    const a = pending('a');
    const b = pending('b');
    records.add(a.record);
    records.add(b.record);
    a.finish();
    await settled();
    expect(records.of('a')).toEqual([]);
    expect(records.all()).toEqual([b.record.flushing]);
  });
});
