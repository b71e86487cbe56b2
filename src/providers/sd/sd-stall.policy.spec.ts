import { controlTimeoutMs, RECENT_IMAGES, RecentDurations, stallThresholdMs } from './sd-stall.policy';

const STALL = { factor: 3, floorMs: 15_000, ceilingMs: 120_000 };

describe('RecentDurations', () => {
  it('has no p95 before its first image', () => {
    expect(new RecentDurations().p95()).toBeNull();
  });

  it('is the only value with one image, the largest with a handful', () => {
    const history = new RecentDurations();
    history.add(9_000);
    expect(history.p95()).toBe(9_000);
    for (const ms of [8_000, 12_000, 10_000]) history.add(ms);
    expect(history.p95()).toBe(12_000);
  });

  it('lets one outlier among twenty pass and counts two', () => {
    const history = new RecentDurations();
    for (let i = 0; i < RECENT_IMAGES - 1; i++) history.add(10_000 + i);
    history.add(90_000);
    // Nearest rank: the 19th of 20 sorted values.
    expect(history.p95()).toBe(10_018);
    history.add(80_000);
    expect(history.p95()).toBe(80_000);
  });

  it('forgets images older than the recent window', () => {
    const history = new RecentDurations(3);
    for (const ms of [60_000, 1_000, 2_000, 3_000]) history.add(ms);
    expect(history.p95()).toBe(3_000);
  });
});

describe('stallThresholdMs', () => {
  it('is the ceiling while nothing has been measured', () => {
    expect(stallThresholdMs(null, null, STALL)).toBe(120_000);
  });

  it("is factor × the instance's p95 between floor and ceiling", () => {
    expect(stallThresholdMs(10_000, 2_000, STALL)).toBe(30_000);
  });

  it("uses the pool's p95 while the instance has no history", () => {
    expect(stallThresholdMs(null, 8_000, STALL)).toBe(24_000);
  });

  it('is never sooner than the floor', () => {
    expect(stallThresholdMs(1_000, null, STALL)).toBe(15_000);
    expect(stallThresholdMs(null, 100, STALL)).toBe(15_000);
  });

  it('is always by the ceiling', () => {
    expect(stallThresholdMs(50_000, null, STALL)).toBe(120_000);
  });

  it('takes fractional factors and rounds to whole ms', () => {
    expect(stallThresholdMs(10_001, null, { factor: 1.5, floorMs: 10, ceilingMs: 100_000 })).toBe(15_002);
  });
});

describe('controlTimeoutMs', () => {
  it('is the stall floor, or the request timeout when that is shorter', () => {
    expect(controlTimeoutMs({ timeoutMs: 300_000, stall: STALL })).toBe(15_000);
    expect(controlTimeoutMs({ timeoutMs: 5_000, stall: STALL })).toBe(5_000);
  });
});
