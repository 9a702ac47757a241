// HTTP and TCP probes of configured endpoints, judged the way the kubelet judges its probes: an HTTP
// probe succeeds on a status from 200 to 399 (redirects are not followed), a TCP probe when the
// connection opens; a probe is failed after `attempts` failures in a row (the kubelet's
// failureThreshold, 3). Retries go through the kit's one retry loop.
import { connect } from 'node:net';
import { httpVerdict, retry, type AttemptOutcome, type RetryPolicy } from '../../shared/index.ts';

export interface ProbeSettings {
  attempts: number;
  timeoutMs: number;
  slowMs: number;
}

export interface ProbeResult {
  /** The target as configured, credentials masked. */
  target: string;
  protocol: 'http' | 'tcp';
  ok: boolean;
  /** HTTP status of the last attempt. */
  status?: number;
  /** Duration of the last attempt. */
  latencyMs: number;
  attempts: number;
  error?: string;
}

/** The target with any user:password in it masked: targets end up in findings and logs. */
export function displayTarget(target: string): string {
  try {
    const url = new URL(target);
    if (url.username !== '' || url.password !== '') {
      url.username = '***';
      url.password = '';
    }
    return url.toString();
  } catch {
    return target;
  }
}

const policy = (s: ProbeSettings): RetryPolicy => ({
  attempts: s.attempts,
  backoffMs: 100,
  maxBackoffMs: 1000,
  timeoutMs: s.timeoutMs,
});

/** A network error's most useful text (undici hides the cause under "fetch failed"). */
function errorText(error: unknown): string {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

async function probeHttp(target: string, settings: ProbeSettings, signal: AbortSignal): Promise<ProbeResult> {
  let attempts = 0;
  let lastMs = 0;
  try {
    const response = await retry(
      async (n, attemptSignal) => {
        attempts = n;
        const started = performance.now();
        try {
          const r = await fetch(target, {
            method: 'GET',
            redirect: 'manual',
            signal: attemptSignal,
            headers: { 'user-agent': 'eco-healthcheck-bot' },
          });
          await r.arrayBuffer().catch(() => undefined);
          return r;
        } finally {
          lastMs = Math.round(performance.now() - started);
        }
      },
      (outcome: AttemptOutcome<Response>) =>
        // A 4xx will not change on a retry; a 5xx or a network error might.
        outcome.ok && outcome.value.status < 400 ? { retry: false } : httpVerdict(outcome, { method: 'GET' }),
      policy(settings),
      { signal },
    );
    const ok = response.status >= 200 && response.status < 400;
    return {
      target: displayTarget(target),
      protocol: 'http',
      ok,
      status: response.status,
      latencyMs: lastMs,
      attempts,
    };
  } catch (error) {
    if (signal.aborted) throw error;
    return {
      target: displayTarget(target),
      protocol: 'http',
      ok: false,
      latencyMs: lastMs,
      attempts,
      error: errorText(error),
    };
  }
}

function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (error: unknown): void => {
      socket.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const onAbort = (): void => fail(signal.reason ?? new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      fail(error);
    });
  });
}

async function probeTcp(target: string, settings: ProbeSettings, signal: AbortSignal): Promise<ProbeResult> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port);
  let attempts = 0;
  let lastMs = 0;
  try {
    await retry(
      async (n, attemptSignal) => {
        attempts = n;
        const started = performance.now();
        try {
          await tcpConnect(host, port, attemptSignal);
        } finally {
          lastMs = Math.round(performance.now() - started);
        }
      },
      (outcome) => ({ retry: !outcome.ok }),
      policy(settings),
      { signal },
    );
    return { target: displayTarget(target), protocol: 'tcp', ok: true, latencyMs: lastMs, attempts };
  } catch (error) {
    if (signal.aborted) throw error;
    return {
      target: displayTarget(target),
      protocol: 'tcp',
      ok: false,
      latencyMs: lastMs,
      attempts,
      error: errorText(error),
    };
  }
}

/** Whether a configured target is one this bot can probe (the setting's pattern says the same). */
export const TARGET_PATTERN = /^(https?:\/\/\S+|tcp:\/\/[^/\s:]+:\d{1,5}\/?)$/;

/** Probes every target side by side; never throws except when `signal` aborts. */
export function probeAll(
  targets: readonly string[],
  settings: ProbeSettings,
  signal: AbortSignal,
): Promise<ProbeResult[]> {
  return Promise.all(
    targets.map((t) =>
      t.startsWith('tcp://') ? probeTcp(t, settings, signal) : probeHttp(t, settings, signal),
    ),
  );
}
