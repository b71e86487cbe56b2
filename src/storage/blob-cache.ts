/**
 * The most recently used files of a content-addressed store, up to a number of bytes. A file
 * id names its content, so an entry is never stale: it may only outlive the file, and a state
 * that still refers to a file wants exactly those bytes.
 */
export class BlobCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(id: string): Buffer | undefined {
    const entry = this.entries.get(id);
    if (entry) {
      // Most recently used last.
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry;
  }

  /** Keeps a copy of `content` (a view would keep its whole buffer alive). */
  set(id: string, content: Uint8Array): void {
    // One file may not push out most others.
    if (content.length > this.maxBytes / 4 || this.entries.has(id)) return;
    this.entries.set(id, Buffer.from(content));
    this.bytes += content.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.length;
    }
  }
}
