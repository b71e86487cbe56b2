/**
 * How long Redis has been up at least, from the `server` section of its INFO answer; undefined
 * when it does not say. Redis counts whole seconds from a start time it also rounds down, so a
 * count of n means more than n - 1 seconds.
 */
export function redisUptimeMs(info: string): number | undefined {
  const match = /^uptime_in_seconds:(\d+)\s*$/m.exec(info);
  return match ? Math.max(0, Number(match[1]) - 1) * 1000 : undefined;
}
