/** MongoDB's duplicate-key error: an insert lost a race for a unique key. */
export const DUPLICATE_KEY = 11000;

/** Whether the driver failed to reach the server (as opposed to the server refusing a request). */
export function isDatabaseUnreachable(error: unknown): boolean {
  const name = (error as Error | null)?.name ?? '';
  return /^Mongo(ose)?(ServerSelection|Network|NotConnected|Topology)\w*Error$/.test(name);
}
