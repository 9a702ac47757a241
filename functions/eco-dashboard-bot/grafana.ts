// The parts of Grafana's HTTP API the bot uses (service-account token as a Bearer token):
// GET /api/folders/:uid, POST /api/folders { uid, title }, GET /api/dashboards/uid/:uid
// ({ dashboard, meta }), POST /api/dashboards/db { dashboard, folderUid, overwrite, message }.
import { fetchWithRetry, type ReportError } from '../../shared/index.ts';

export class GrafanaError extends Error {
  override name = 'GrafanaError';
  constructor(readonly report: ReportError) {
    super(report.message);
  }
}

export interface Grafana {
  folderExists(uid: string): Promise<boolean>;
  createFolder(uid: string, title: string): Promise<unknown>;
  /** The stored dashboard JSON, or undefined when there is none with that uid. */
  dashboard(uid: string): Promise<Record<string, unknown> | undefined>;
  saveDashboard(dashboard: Record<string, unknown>, folderUid: string, message: string): Promise<unknown>;
}

export function createGrafana(
  base: string,
  token: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Grafana {
  const root = base.endsWith('/') ? base : `${base}/`;
  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const url = new URL(path, root);
    let response: Response;
    try {
      response = await fetchWithRetry(
        url,
        {
          method,
          // A save with overwrite and a fixed uid, or a folder with a fixed uid: repeating is harmless.
          safeToRepeat: true,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
        { attempts: 3, backoffMs: 200, maxBackoffMs: 2000, timeoutMs: options.timeoutMs },
        { signal: options.signal },
      );
    } catch (error) {
      if (options.signal.aborted) throw error;
      const e = error as { message?: string; cause?: { code?: string } };
      throw new GrafanaError({
        code: 'grafana-unavailable',
        message: `Grafana ${url.origin}: ${e.cause?.code ?? e.message ?? String(error)}`,
      });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  }
  const fail = (what: string, status: number, json: unknown): GrafanaError =>
    new GrafanaError({
      code: `grafana-http-${status}`,
      message: `Grafana ${what} answered ${status}${(json as { message?: string } | undefined)?.message ? `: ${(json as { message: string }).message}` : ''}`,
    });
  return {
    async folderExists(uid) {
      const r = await call('GET', `api/folders/${encodeURIComponent(uid)}`);
      if (r.status === 404) return false;
      if (r.status >= 300) throw fail(`GET /api/folders/${uid}`, r.status, r.json);
      return true;
    },
    async createFolder(uid, title) {
      const r = await call('POST', 'api/folders', { uid, title });
      // 409/412: created meanwhile by another run; fine.
      if (r.status >= 300 && r.status !== 409 && r.status !== 412)
        throw fail('POST /api/folders', r.status, r.json);
      return r.json;
    },
    async dashboard(uid) {
      const r = await call('GET', `api/dashboards/uid/${encodeURIComponent(uid)}`);
      if (r.status === 404) return undefined;
      if (r.status >= 300) throw fail(`GET /api/dashboards/uid/${uid}`, r.status, r.json);
      return (r.json as { dashboard?: Record<string, unknown> }).dashboard;
    },
    async saveDashboard(dashboard, folderUid, message) {
      const r = await call('POST', 'api/dashboards/db', {
        dashboard: { ...dashboard, id: null },
        folderUid,
        overwrite: true,
        message,
      });
      if (r.status >= 300) throw fail('POST /api/dashboards/db', r.status, r.json);
      return r.json;
    },
  };
}
