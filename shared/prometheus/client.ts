// A small Prometheus HTTP API (v1) client on node's fetch: instant and range queries, targets,
// TSDB status, rules and alerts. Queries go as form-encoded POSTs (long pod regexes do not fit in a
// URL). Each attempt has its own timeout; the caller's AbortSignal cancels everything; 5xx, 429 and
// network failures are retried; Prometheus' error body ({status:"error", errorType, error}) becomes
// a PrometheusError naming the endpoint and the HTTP status.

import { readFile } from 'node:fs/promises';
import { PrometheusError } from './errors.ts';
import { parseRetryAfter } from '../http/retry-after.ts';
import { MAX_POINTS_PER_SERIES, mergeSeries, splitRange } from './range.ts';
import { withRetries } from './retry.ts';
import type {
  AlertsResult,
  InstantQueryOptions,
  InstantResult,
  Labels,
  QueryData,
  RangeQueryOptions,
  RangeResult,
  RequestOptions,
  RulesResult,
  Sample,
  Series,
  TargetsResult,
  Time,
  TsdbStatus,
  VectorSample,
} from './types.ts';

/** Credentials are read from files at each request, so a rotated token is picked up. */
export type PrometheusAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; tokenFile: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; user: string; passwordFile: string }
  | { kind: 'basic'; user: string; password: string };

export interface PrometheusClientOptions {
  /** Base URL, e.g. `http://prometheus.monitoring:9090` or `https://thanos.example/prometheus`. */
  url: string;
  auth?: PrometheusAuth;
  /** Per-attempt timeout in milliseconds (also sent to Prometheus as the query `timeout`). */
  timeoutMs?: number;
  /** Retries after the first attempt for 5xx, 429 and network failures. */
  retries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Points per series per range request; Prometheus refuses more than 11,000. */
  maxPointsPerSeries?: number;
  /** Extra headers on every request (e.g. `X-Scope-OrgID` for Mimir or Cortex). */
  headers?: Readonly<Record<string, string>>;
  /** Injectable for tests. */
  fetch?: typeof fetch;
}

export const PROMETHEUS_DEFAULTS = {
  timeoutMs: 30_000,
  retries: 2,
  retryBaseDelayMs: 250,
  retryMaxDelayMs: 4_000,
} as const;

export interface PrometheusClient {
  /** The base URL without credentials, for evidence and messages. */
  readonly url: string;
  query(expr: string, options?: InstantQueryOptions): Promise<InstantResult>;
  /** An instant query that must answer a vector (the common case), its samples as the result. */
  queryVector(expr: string, options?: InstantQueryOptions): Promise<VectorSample[]>;
  queryRange(expr: string, options: RangeQueryOptions): Promise<RangeResult>;
  targets(options?: RequestOptions & { state?: 'active' | 'dropped' | 'any' }): Promise<TargetsResult>;
  tsdbStatus(options?: RequestOptions): Promise<TsdbStatus>;
  rules(options?: RequestOptions & { type?: 'alert' | 'record' }): Promise<RulesResult>;
  alerts(options?: RequestOptions): Promise<AlertsResult>;
}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const base = parseBaseUrl(options.url);
  const display = displayUrl(base);
  const timeoutMs = options.timeoutMs ?? PROMETHEUS_DEFAULTS.timeoutMs;
  const maxPoints = options.maxPointsPerSeries ?? MAX_POINTS_PER_SERIES;
  const doFetch = options.fetch ?? fetch;

  interface Call {
    endpoint: string;
    method: 'GET' | 'POST';
    params: Record<string, string>;
    query?: string;
    request: RequestOptions;
  }

  async function call<T>(spec: Call): Promise<{ data: T; warnings: string[] }> {
    const attemptTimeout = spec.request.timeoutMs ?? timeoutMs;
    return withRetries(
      async (attemptNumber) => {
        try {
          return await once<T>(spec, attemptTimeout);
        } catch (error) {
          if (error instanceof PrometheusError) {
            throw new PrometheusError(error.message, { ...detailsOf(error), attempts: attemptNumber });
          }
          throw error;
        }
      },
      {
        retries: options.retries ?? PROMETHEUS_DEFAULTS.retries,
        baseDelayMs: options.retryBaseDelayMs ?? PROMETHEUS_DEFAULTS.retryBaseDelayMs,
        maxDelayMs: options.retryMaxDelayMs ?? PROMETHEUS_DEFAULTS.retryMaxDelayMs,
        maxRetryAfterMs: 30_000,
        signal: spec.request.signal,
      },
    );
  }

  async function once<T>(spec: Call, attemptTimeout: number): Promise<{ data: T; warnings: string[] }> {
    const url = new URL(base.pathname.replace(/\/+$/, '') + spec.endpoint, base.origin);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const authorization = await authorizationHeader(options.auth);
    if (authorization !== undefined) headers['authorization'] = authorization;
    let body: string | undefined;
    if (spec.method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(spec.params).toString();
    } else {
      for (const [name, value] of Object.entries(spec.params)) url.searchParams.set(name, value);
    }
    const timeout = AbortSignal.timeout(attemptTimeout);
    const signal = spec.request.signal ? AbortSignal.any([spec.request.signal, timeout]) : timeout;
    const where = `Prometheus ${display}${spec.endpoint}`;
    const base_ = { endpoint: spec.endpoint, ...(spec.query === undefined ? {} : { query: spec.query }) };

    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, {
        method: spec.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal,
      });
      text = await res.text();
    } catch (error) {
      if (spec.request.signal?.aborted) {
        throw new PrometheusError(`${where}: request cancelled`, {
          ...base_,
          failure: 'aborted',
          cause: error,
        });
      }
      if (timeout.aborted) {
        throw new PrometheusError(`${where}: no answer within ${attemptTimeout} ms`, {
          ...base_,
          failure: 'timeout',
          cause: error,
        });
      }
      throw new PrometheusError(`${where}: network error: ${networkReason(error)}`, {
        ...base_,
        failure: 'network',
        cause: error,
      });
    }

    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after') ?? undefined);
    const withStatus = {
      ...base_,
      status: res.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
    const json = parseJson(text);
    if (isRecord(json) && json['status'] === 'error') {
      const errorType = typeof json['errorType'] === 'string' ? json['errorType'] : 'unknown';
      const reason = typeof json['error'] === 'string' ? json['error'] : 'no error message';
      throw new PrometheusError(`${where}: HTTP ${res.status} ${errorType}: ${reason}`, {
        ...withStatus,
        failure: 'api',
        errorType,
      });
    }
    if (!res.ok) {
      throw new PrometheusError(`${where}: HTTP ${res.status}: ${snippet(text)}`, {
        ...withStatus,
        failure: 'http',
      });
    }
    if (!isRecord(json) || json['status'] !== 'success' || !('data' in json)) {
      throw new PrometheusError(
        `${where}: HTTP ${res.status} but not a Prometheus API answer: ${snippet(text)}`,
        {
          ...withStatus,
          failure: 'bad-response',
        },
      );
    }
    const warnings = Array.isArray(json['warnings']) ? json['warnings'].map(String) : [];
    return { data: json['data'] as T, warnings };
  }

  function serverTimeout(request: RequestOptions): string {
    return `${Math.max(1, Math.floor((request.timeoutMs ?? timeoutMs) / 1000))}s`;
  }

  async function query(expr: string, request: InstantQueryOptions = {}): Promise<InstantResult> {
    const params: Record<string, string> = { query: expr, timeout: serverTimeout(request) };
    if (request.time !== undefined) params['time'] = formatTime(request.time);
    const { data, warnings } = await call<RawQueryData>({
      endpoint: '/api/v1/query',
      method: 'POST',
      params,
      query: expr,
      request,
    });
    return { data: decodeQueryData(data, '/api/v1/query', expr), warnings };
  }

  async function queryVector(expr: string, request: InstantQueryOptions = {}): Promise<VectorSample[]> {
    const { data } = await query(expr, request);
    if (data.resultType === 'vector') return data.result;
    if (data.resultType === 'scalar') return [{ metric: {}, value: data.result }];
    throw new PrometheusError(
      `Prometheus ${display}/api/v1/query: expected a vector, got a ${data.resultType}`,
      {
        endpoint: '/api/v1/query',
        failure: 'bad-response',
        query: expr,
      },
    );
  }

  async function queryRange(expr: string, request: RangeQueryOptions): Promise<RangeResult> {
    const start = toSeconds(request.start);
    const end = toSeconds(request.end);
    const chunks = splitRange(start, end, request.stepSeconds, maxPoints);
    const parts: Series[][] = [];
    const warnings: string[] = [];
    // One chunk at a time: bounded memory and load on Prometheus; order kept for the merge.
    for (const chunk of chunks) {
      const { data, warnings: chunkWarnings } = await call<RawQueryData>({
        endpoint: '/api/v1/query_range',
        method: 'POST',
        params: {
          query: expr,
          start: String(chunk.start),
          end: String(chunk.end),
          step: String(request.stepSeconds),
          timeout: serverTimeout(request),
        },
        query: expr,
        request,
      });
      const decoded = decodeQueryData(data, '/api/v1/query_range', expr);
      if (decoded.resultType !== 'matrix') {
        throw new PrometheusError(
          `Prometheus ${display}/api/v1/query_range: expected a matrix, got a ${decoded.resultType}`,
          { endpoint: '/api/v1/query_range', failure: 'bad-response', query: expr },
        );
      }
      parts.push(decoded.result);
      for (const warning of chunkWarnings) if (!warnings.includes(warning)) warnings.push(warning);
    }
    return { series: mergeSeries(parts), warnings, chunks: chunks.length };
  }

  async function get<T>(
    endpoint: string,
    params: Record<string, string>,
    request: RequestOptions,
  ): Promise<T> {
    return (await call<T>({ endpoint, method: 'GET', params, request })).data;
  }

  return {
    url: display,
    query,
    queryVector,
    queryRange,
    targets: (request = {}) =>
      get<TargetsResult>('/api/v1/targets', request.state ? { state: request.state } : {}, request),
    tsdbStatus: (request = {}) => get<TsdbStatus>('/api/v1/status/tsdb', {}, request),
    rules: (request = {}) =>
      get<RulesResult>('/api/v1/rules', request.type ? { type: request.type } : {}, request),
    alerts: (request = {}) => get<AlertsResult>('/api/v1/alerts', {}, request),
  };
}

type RawSample = [number, string];
type RawQueryData =
  | { resultType: 'vector'; result: Array<{ metric: Labels; value: RawSample }> }
  | { resultType: 'matrix'; result: Array<{ metric: Labels; values: RawSample[] }> }
  | { resultType: 'scalar'; result: RawSample }
  | { resultType: 'string'; result: [number, string] };

function decodeQueryData(raw: RawQueryData, endpoint: string, query: string): QueryData {
  try {
    switch (raw.resultType) {
      case 'vector':
        return {
          resultType: 'vector',
          result: raw.result.map((item) => ({ metric: item.metric, value: decodeSample(item.value) })),
        };
      case 'matrix':
        return {
          resultType: 'matrix',
          result: raw.result.map((item) => ({ metric: item.metric, values: item.values.map(decodeSample) })),
        };
      case 'scalar':
        return { resultType: 'scalar', result: decodeSample(raw.result) };
      case 'string':
        return { resultType: 'string', result: [raw.result[0], raw.result[1]] };
      default:
        throw new Error(`unknown resultType ${String((raw as { resultType?: unknown }).resultType)}`);
    }
  } catch (error) {
    throw new PrometheusError(`Prometheus ${endpoint}: malformed result: ${(error as Error).message}`, {
      endpoint,
      failure: 'bad-response',
      query,
      cause: error,
    });
  }
}

function decodeSample(raw: RawSample): Sample {
  return [raw[0], parseSampleValue(raw[1])];
}

/** Prometheus writes sample values as strings, including "NaN", "+Inf" and "-Inf". */
export function parseSampleValue(value: string): number {
  if (value === '+Inf' || value === 'Inf') return Number.POSITIVE_INFINITY;
  if (value === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(value);
}

export function toSeconds(time: Time): number {
  return time instanceof Date ? time.getTime() / 1000 : time;
}

function formatTime(time: Time): string {
  return String(toSeconds(time));
}

async function authorizationHeader(auth: PrometheusAuth | undefined): Promise<string | undefined> {
  if (!auth || auth.kind === 'none') return undefined;
  if (auth.kind === 'bearer') {
    const token = 'token' in auth ? auth.token : await readSecret(auth.tokenFile);
    return `Bearer ${token}`;
  }
  const password = 'password' in auth ? auth.password : await readSecret(auth.passwordFile);
  return `Basic ${Buffer.from(`${auth.user}:${password}`).toString('base64')}`;
}

async function readSecret(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new PrometheusError(`Prometheus credentials: cannot read ${file}: ${(error as Error).message}`, {
      endpoint: '(credentials)',
      failure: 'credentials',
      cause: error,
    });
  }
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`Prometheus URL is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Prometheus URL must be http or https: ${JSON.stringify(raw)}`);
  }
  return url;
}

/** The URL as shown in messages and evidence: never with credentials. */
function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty body)';
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function detailsOf(error: PrometheusError): ConstructorParameters<typeof PrometheusError>[1] {
  return {
    failure: error.failure,
    endpoint: error.endpoint,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.errorType === undefined ? {} : { errorType: error.errorType }),
    ...(error.query === undefined ? {} : { query: error.query }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  };
}
