// One HTTP exchange with the API server over node:http/https with keep-alive agents. node:https
// (and with it node:tls) is loaded only for https servers: ~1.5 ms of cold start otherwise. No retries here
// (see retry.ts): this layer only reports what happened, including whether the request may have
// reached the server, which decides whether a non-idempotent request may be retried.
import http from 'node:http';
import type { ClusterConfig } from './kubeconfig.ts';
import { K8sTransportError } from './errors.ts';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface Exchange {
  method: string;
  /** Path with query string, starting with `/`. */
  path: string;
  body?: string;
  contentType?: string;
  /** The Accept header (default `application/json`). */
  accept?: string;
  timeoutMs: number;
}

/** A transport failure, annotated with whether the server may have acted on the request. */
export class TransportFailure extends K8sTransportError {
  constructor(
    message: string,
    errno: string,
    /** False when the request certainly did not reach the server (refused, or a stale pooled socket). */
    readonly mayHaveBeenProcessed: boolean,
    options?: { cause?: unknown },
    /** A failure that repeating cannot fix (TLS verification, bad certificate). */
    readonly permanent = false,
  ) {
    super(message, errno, options);
  }
}

export interface Transport {
  send(exchange: Exchange): Promise<RawResponse>;
  close(): void;
}

export function createTransport(config: ClusterConfig): Transport {
  const base = new URL(config.server);
  const secure = base.protocol === 'https:';
  const basePath = base.pathname.replace(/\/+$/, '');
  let client: Promise<{ agent: http.Agent; request: typeof http.request }> | undefined;
  const connectionFor = () =>
    (client ??= secure
      ? import('node:https').then(({ default: https }) => ({
          agent: new https.Agent({
            keepAlive: true,
            maxSockets: 16,
            ...(config.ca !== undefined ? { ca: config.ca } : {}),
            ...(config.cert !== undefined ? { cert: config.cert } : {}),
            ...(config.key !== undefined ? { key: config.key } : {}),
            ...(config.tlsServerName !== undefined ? { servername: config.tlsServerName } : {}),
            rejectUnauthorized: !config.insecureSkipTlsVerify,
          }),
          request: https.request,
        }))
      : Promise.resolve({
          agent: new http.Agent({ keepAlive: true, maxSockets: 16 }),
          request: http.request,
        }));

  async function send(exchange: Exchange): Promise<RawResponse> {
    const [auth, { agent, request: doRequest }] = await Promise.all([config.authHeaders(), connectionFor()]);
    const headers: Record<string, string> = {
      accept: exchange.accept ?? 'application/json',
      'user-agent': 'eco-bots',
      ...auth,
    };
    let payload: Buffer | undefined;
    if (exchange.body !== undefined) {
      payload = Buffer.from(exchange.body, 'utf8');
      headers['content-type'] = exchange.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: TransportFailure) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const req = doRequest({
        protocol: base.protocol,
        hostname: base.hostname.replace(/^\[|\]$/g, ''),
        port: base.port || (secure ? 443 : 80),
        method: exchange.method,
        path: basePath + exchange.path,
        headers,
        agent,
      });
      // One deadline for the whole exchange (connect + headers + body), not an idle timeout.
      const timer = setTimeout(() => {
        fail(
          new TransportFailure(
            `${exchange.method} ${exchange.path}: timed out after ${exchange.timeoutMs} ms`,
            'ETIMEDOUT',
            true,
          ),
        );
        req.destroy();
      }, exchange.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        const errno = error.code ?? 'EUNKNOWN';
        if (isTlsFailure(errno)) {
          // Certificate and handshake failures are configuration, not weather: never retried.
          fail(
            new TransportFailure(
              `${exchange.method} ${exchange.path}: TLS: ${error.message}`,
              errno,
              false,
              { cause: error },
              true,
            ),
          );
          return;
        }
        // A reset on a reused keep-alive socket before any response means the server closed an idle
        // connection: the request was never processed (Node's documented retry case).
        const notProcessed =
          errno === 'ECONNREFUSED' ||
          errno === 'ENOTFOUND' ||
          errno === 'EAI_AGAIN' ||
          (req.reusedSocket && errno === 'ECONNRESET');
        fail(
          new TransportFailure(
            `${exchange.method} ${exchange.path}: ${error.message}`,
            errno,
            !notProcessed,
            { cause: error },
          ),
        );
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) =>
          fail(
            new TransportFailure(
              `${exchange.method} ${exchange.path}: ${error.message}`,
              error.code ?? 'EUNKNOWN',
              true,
              { cause: error },
            ),
          ),
        );
        res.on('aborted', () =>
          fail(
            new TransportFailure(`${exchange.method} ${exchange.path}: response aborted`, 'ECONNRESET', true),
          ),
        );
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(payload);
    });
  }

  return {
    send,
    close: () => {
      void client?.then(({ agent }) => agent.destroy());
    },
  };
}

/** Node's TLS/certificate error codes (ERR_TLS_*, ERR_SSL_*, OpenSSL verify codes). */
export function isTlsFailure(errno: string): boolean {
  return (
    errno.startsWith('ERR_TLS_') ||
    errno.startsWith('ERR_SSL_') ||
    errno.startsWith('CERT_') ||
    errno.includes('SELF_SIGNED') ||
    errno.startsWith('UNABLE_TO_') ||
    errno === 'HOSTNAME_MISMATCH' ||
    errno === 'ERR_OSSL_PEM_NO_START_LINE'
  );
}
