// A tiny raw HTTP client for tests of the emulator itself: exact status, headers and body bytes
// (deliberately not @kubernetes/client-node, so the wire format is what gets asserted).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body (undefined when the body is not JSON). */
  json: unknown;
}

export interface RawRequestOptions {
  token?: string;
  body?: unknown;
  /** Send `body` as is (string) instead of JSON.stringify. */
  rawBody?: string;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
}

export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  o: RawRequestOptions = {},
): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  const payload = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  const headers: Record<string, string> = {};
  if (o.token) headers['Authorization'] = `Bearer ${o.token}`;
  if (payload !== undefined) {
    headers['Content-Type'] = o.contentType ?? 'application/json';
    // Explicit length: Node does not frame DELETE bodies (no chunked encoding by default).
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  if (o.accept) headers['Accept'] = o.accept;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method, headers, rejectUnauthorized: false, timeout: o.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Opens a watch and collects parsed event lines until `until` returns true or the stream ends. */
export function collectWatch(
  baseUrl: string,
  path: string,
  token: string,
  until: (events: Array<{ type: string; object: Record<string, unknown> }>) => boolean,
  onOpen?: () => void,
  timeoutMs = 10_000,
): Promise<Array<{ type: string; object: Record<string, unknown> }>> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const events: Array<{ type: string; object: Record<string, unknown> }> = [];
    let buf = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(events);
    };
    const timer = setTimeout(() => {
      done = true;
      req.destroy();
      reject(
        new Error(
          `watch timed out with ${events.length} events: ${JSON.stringify(events.map((e) => e.type))}`,
        ),
      );
    }, timeoutMs);
    const req = httpRequest(url, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        reject(new Error(`watch answered ${res.statusCode}`));
        return;
      }
      onOpen?.();
      res.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) events.push(JSON.parse(line) as { type: string; object: Record<string, unknown> });
        }
        if (until(events)) finish();
      });
      res.on('end', finish);
      res.on('error', () => finish());
    });
    req.on('error', (e) => {
      if (!done) {
        clearTimeout(timer);
        reject(e);
      }
    });
    req.end();
  });
}
