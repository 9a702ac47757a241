// /healthz, /livez and /readyz as kube-apiserver answers them: `ok`, or with `?verbose` one line per
// check and `<endpoint> check passed`; `/readyz/<check>` answers that check alone. `?exclude=<check>`
// drops a check from the list, as on the real server.
import type { Reply } from './api.ts';

const COMMON = [
  'ping',
  'log',
  'etcd',
  'poststarthook/start-apiserver-admission-initializer',
  'poststarthook/generic-apiserver-start-informers',
  'poststarthook/start-apiextensions-informers',
  'poststarthook/start-apiextensions-controllers',
  'poststarthook/crd-informer-synced',
  'poststarthook/rbac/bootstrap-roles',
  'poststarthook/scheduling/bootstrap-system-priority-classes',
  'poststarthook/apiservice-registration-controller',
];

const CHECKS: Record<string, readonly string[]> = {
  healthz: COMMON,
  livez: COMMON,
  readyz: [...COMMON.slice(0, 3), 'etcd-readiness', 'informer-sync', ...COMMON.slice(3), 'shutdown'],
};

const text = (code: number, body: string): Reply => ({
  code,
  body,
  contentType: 'text/plain; charset=utf-8',
});

/** The reply for `/healthz`, `/livez`, `/readyz` (and `/<endpoint>/<check>`), or undefined if not a health path. */
export function healthReply(pathname: string, query: URLSearchParams): Reply | undefined {
  const m = /^\/(healthz|livez|readyz)(?:\/(.+))?$/.exec(pathname);
  if (!m) return undefined;
  const endpoint = m[1] as string;
  const checks = CHECKS[endpoint] as readonly string[];
  const single = m[2];
  if (single !== undefined)
    return checks.includes(single) ? text(200, 'ok') : text(404, '404 page not found\n');
  if (!query.has('verbose')) return text(200, 'ok');
  const excluded = new Set(query.getAll('exclude'));
  const lines = checks.map((c) => (excluded.has(c) ? `[+]${c} excluded: ok` : `[+]${c} ok`));
  return text(200, `${lines.join('\n')}\n${endpoint} check passed\n`);
}
