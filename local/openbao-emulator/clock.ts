// Time as OpenBao writes it: RFC 3339 in UTC, and Go duration strings ("768h", "1h30m", "45s").

export const formatTime = (d: Date): string => d.toISOString();

/** "3h25m19s" from seconds; "0s" for zero, as Go's time.Duration.String() prints. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/**
 * Seconds from an OpenBao duration parameter: an integer (seconds) or a Go duration string with
 * h, m, s units ("1h", "90m", "1h30m10s", "30"). Undefined when it is not one.
 */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isInteger(input) && input >= 0 ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^(\d+h)?(\d+m)?(\d+s)?$/.test(text) || text === '') return undefined;
  const part = (unit: string): number => Number(new RegExp(`(\\d+)${unit}`).exec(text)?.[1] ?? 0);
  return part('h') * 3600 + part('m') * 60 + part('s');
}
