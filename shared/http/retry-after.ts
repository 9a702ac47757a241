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
//   difference from `now`. Parsed by hand: Date.parse accepts far more than HTTP-date and reads the
//   zone-less asctime form as local time.

const MAX_DELAY_SECONDS = 2 ** 31;
const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';
const IMF_FIXDATE = /^[a-z]{3}, (\d\d) ([a-z]{3}) (\d{4}) (\d\d):(\d\d):(\d\d) gmt$/i;
const RFC_850 = /^[a-z]{6,9}, (\d\d)-([a-z]{3})-(\d\d) (\d\d):(\d\d):(\d\d) gmt$/i;
const ASCTIME = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})$/i;

/**
 * Milliseconds to wait according to a Retry-After header value, or undefined when it is absent,
 * empty or not a valid Retry-After. A repeated header (array) uses its first value.
 */
export function parseRetryAfter(
  value: string | readonly string[] | null | undefined,
  now: Date | number = Date.now(),
): number | undefined {
  const raw = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+$/.test(raw)) return Math.min(Number(raw), MAX_DELAY_SECONDS) * 1000;
  const nowMs = typeof now === 'number' ? now : now.getTime();
  const at = parseHttpDate(raw, nowMs);
  return at === undefined ? undefined : Math.max(0, at - nowMs);
}

/** An HTTP-date (any of RFC 9110's three forms) as epoch ms, or undefined. */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  // Normalised to [day, month, year, hour, minute, second].
  let parts: string[];
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(value)) !== null) parts = match.slice(1);
  else if ((match = RFC_850.exec(value)) !== null) parts = match.slice(1);
  else if ((match = ASCTIME.exec(value)) !== null)
    parts = [match[2]!, match[1]!, match[6]!, ...match.slice(3, 6)];
  else return undefined;
  const [day, month, yearText, h, m, s] = parts.map((part, i) => (i === 1 ? part : Number(part))) as [
    number,
    string,
    number,
    number,
    number,
    number,
  ];
  let year = yearText;
  if (parts[2]!.length === 2) {
    // RFC 850's two-digit year: RFC 9110 5.6.7 reads one more than 50 years ahead as last century.
    const thisYear = new Date(now).getUTCFullYear();
    year += thisYear - (thisYear % 100);
    if (year > thisYear + 50) year -= 100;
  }
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  if (monthIndex % 3 !== 0 || h > 23 || m > 59 || s > 60) return undefined;
  const at = Date.UTC(year, monthIndex / 3, day, h, m, s);
  // Date.UTC rolls 31 Feb over into March: such a date is invalid, not a day in March.
  return new Date(at).getUTCDate() === day ? at : undefined;
}
