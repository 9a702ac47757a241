// The one Retry-After parser (RFC 9110 section 10.2.3): `Retry-After = HTTP-date / delay-seconds`.
//
// - delay-seconds is `1*DIGIT`: "3" is 3000 ms. Anything else that is not an HTTP-date ("1.5", "-1",
//   "+3", "3s", "soon") is not a Retry-After at all and gives undefined, so the caller falls back to
//   its own backoff instead of guessing (a lenient Number() would read "1e3" as 1000 s, and
//   Date.parse("1.5") is a date in 2001).
// - Values beyond 2^31 seconds are read as 2^31 s (RFC 9111's rule for delta-seconds overflow); the
//   retry policy's cap decides what a long wait means.
// - HTTP-date: the IMF-fixdate a server must send, and the obsolete RFC 850 and asctime forms a
//   recipient must accept, always UTC. A date in the past is 0 ms (retry now); a future one is the
//   difference from `now`. The shape is checked before Date.parse: alone it accepts far more than
//   HTTP-date and reads the zone-less asctime form as local time.

const MAX_DELAY_SECONDS = 2 ** 31;
// IMF-fixdate, RFC 850, then asctime (no zone, but UTC), with RFC 9110's case-sensitive names. Month
// names and ranges are left to Date.parse, which answers NaN for "Foo" or 25:00 (it reads 24:00:00 as
// the next midnight, and RFC 850's two-digit year 00-49 as 20xx, 50-99 as 19xx).
const HTTP_DATE =
  /^(?:[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT|[A-Z][a-z]{5,8}, \d\d-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})$/;

/**
 * Milliseconds to wait according to a Retry-After header value, or undefined when it is absent,
 * empty or not a valid Retry-After. A repeated header (array) uses its first value. With `now` 0
 * an HTTP-date reads as its epoch ms.
 */
export function parseRetryAfter(
  value: string | readonly string[] | null | undefined,
  now: Date | number = Date.now(),
): number | undefined {
  const raw = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+$/.test(raw)) return Math.min(Number(raw), MAX_DELAY_SECONDS) * 1000;
  const at = HTTP_DATE.test(raw) ? Date.parse(raw.endsWith('GMT') ? raw : `${raw} GMT`) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - Number(now));
}
