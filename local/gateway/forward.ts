import { request, type IncomingHttpHeaders } from 'node:http';

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ForwardRequest {
  port: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
  /** Responses larger than this are cut off with an error (a runaway bot must not exhaust memory). */
  maxResponseBytes: number;
}

export class UpstreamTimeout extends Error {
  override readonly name = 'UpstreamTimeout';
}

/** Headers a caller may pass through to a bot (CloudEvents, connectors, tracing, auth, content negotiation). */
export function passThroughHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'expect',
]);

/** One buffered request to a bot process; rejects on timeout (UpstreamTimeout) or a dropped connection. */
export function forward(req: ForwardRequest): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      {
        host: '127.0.0.1',
        port: req.port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, 'content-length': String(req.body.length), connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > req.maxResponseBytes) {
            upstream.destroy(new Error(`response larger than ${req.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(() => {
      upstream.destroy(new UpstreamTimeout(`no answer within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    upstream.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    upstream.end(req.body);
  });
}
