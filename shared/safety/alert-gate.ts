// Firing alerts that block disruptive actions, as kured's --prometheus-url and
// --alert-filter-regexp: ECO_MAINTENANCE_ALERT_FILTER (a regular expression on alertname) against
// PROMETHEUS_URL's /api/v1/alerts. Neither set: nothing blocks.
type Env = Readonly<Record<string, string | undefined>>;

interface AlertsBody {
  status?: string;
  data?: { alerts?: { labels?: Record<string, string>; state?: string }[] };
  error?: string;
}

/** The names of firing alerts that match the filter; throws when Prometheus cannot be asked. */
export async function firingAlertsMatching(env: Env, fetchImpl: typeof fetch = fetch): Promise<string[]> {
  const filter = env.ECO_MAINTENANCE_ALERT_FILTER?.trim();
  const base = env.PROMETHEUS_URL?.trim();
  if (filter === undefined || filter === '' || base === undefined || base === '') return [];
  const pattern = new RegExp(filter);
  const response = await fetchImpl(`${base.replace(/\/+$/, '')}/api/v1/alerts`, {
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json().catch(() => ({}))) as AlertsBody;
  if (!response.ok || body.status !== 'success')
    throw new Error(`Prometheus ${response.status}${body.error ? `: ${body.error}` : ''}`);
  const names = (body.data?.alerts ?? [])
    .filter((a) => a.state === 'firing')
    .map((a) => a.labels?.['alertname'] ?? '')
    .filter((name) => name !== '' && pattern.test(name));
  return [...new Set(names)].sort();
}
