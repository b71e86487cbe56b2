import { leaseFreeWindowMs, probeLockMs, probeTickMs, renewEveryMs } from './lease-timing';

describe('lease timing', () => {
  it('renews three times per TTL, never more often than every 100 ms', () => {
    expect(renewEveryMs(30_000)).toBe(10_000);
    expect(renewEveryMs(3_000)).toBe(1_000);
    expect(renewEveryMs(300)).toBe(100);
    expect(renewEveryMs(100)).toBe(100);
  });

  it("frees a dead holder's slot between its TTL less one renewal and its TTL after the node died", () => {
    expect(leaseFreeWindowMs(30_000)).toEqual({ earliest: 20_000, latest: 30_000 });
    expect(leaseFreeWindowMs(3_000)).toEqual({ earliest: 2_000, latest: 3_000 });
    const { earliest, latest } = leaseFreeWindowMs(1_000);
    expect(earliest).toBeGreaterThan(0);
    expect(earliest).toBeLessThan(latest);
  });

  it('looks for due probes twice per shortest delay, between 50 ms and 1 s', () => {
    expect(probeTickMs(5_000, 1_000)).toBe(500);
    expect(probeTickMs(100, 1_000)).toBe(50);
    expect(probeTickMs(60_000, 0)).toBe(1_000);
    expect(probeTickMs(10, 0)).toBe(50);
  });

  it('lets one probe hold its lock through a progress check, a probe image and an interrupt', () => {
    expect(probeLockMs(15_000)).toBe(46_000);
    expect(probeLockMs(100)).toBeGreaterThan(3 * 100);
  });
});
