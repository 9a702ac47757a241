// Responses kept by ETag so a repeated read is a conditional request: the forge answers 304 Not
// Modified, which GitHub does not count against the rate limit, and the kept body is reused.

export interface CachedResponse {
  etag: string;
  body: Buffer;
  /** The Link header of a kept page, so paging works from the cache too. */
  link?: string;
}

export interface EtagCache {
  get(key: string): CachedResponse | undefined;
  set(key: string, value: CachedResponse): void;
}

/**
 * In memory, least recently used first out, bounded by entries and bytes. One per client by default:
 * a cache shared between clients with different tokens could hand one token's private answer to another.
 */
export class MemoryEtagCache implements EtagCache {
  private readonly entries = new Map<string, CachedResponse>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 500,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  get(key: string): CachedResponse | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: CachedResponse): void {
    if (value.body.length > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    this.entries.set(key, value);
    this.bytes += value.body.length;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.body.length;
    }
  }
}
