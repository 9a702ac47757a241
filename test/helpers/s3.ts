// A local S3-compatible server for tests: s3rver (npm, devDependency) in a child process on
// 127.0.0.1, behind a small proxy on its own free port that checks every request's SigV4 signature
// and payload hash (s3rver itself only looks up the access key), records what was asked, and can
// inject failures. Every test that starts one stops it (`stop()` closes the proxy, ends the child
// and removes the data folder).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { verifySigV4 } from './sigv4-verify.ts';

/** s3rver's built-in account; the proxy knows the same pair. */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** The status the client got. */
  status: number;
}

export interface S3TestServer {
  /** Base URL of the store (the verifying proxy), e.g. http://127.0.0.1:41234 */
  url: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request the proxy saw, in order. */
  requests: RecordedRequest[];
  /** s3rver's file holding an object's content, to corrupt it behind the store's back. */
  objectFile(key: string, bucket?: string): string;
  /** Answer the next `count` requests with `status` (an S3 error body) instead of forwarding them. */
  failNext(count: number, status: number, code?: string): void;
  stop(): Promise<void>;
}

export interface StartS3Options {
  /** Buckets created at start; the first is `bucket`. Default ['eco-backups']. */
  buckets?: string[];
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startS3(options: StartS3Options = {}): Promise<S3TestServer> {
  const buckets = options.buckets ?? ['eco-backups'];
  const bucket = buckets[0] ?? 'eco-backups';
  const directory = await mkdtemp(join(tmpdir(), 'eco-s3rver-'));
  let child: ChildProcess;
  let backendPort: number;
  try {
    ({ child, port: backendPort } = await startS3rverProcess(directory, buckets));
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  const secrets = new Map<string, string>([
    [S3_TEST_CREDENTIALS.accessKeyId, S3_TEST_CREDENTIALS.secretAccessKey],
  ]);
  const requests: RecordedRequest[] = [];
  const faults: { status: number; code: string }[] = [];

  const proxy: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const url = req.url ?? '/';
      const answer = (status: number, code: string, message: string): void => {
        requests.push({ method: req.method ?? 'GET', url, status });
        res.writeHead(status, { 'content-type': 'application/xml' });
        res.end(req.method === 'HEAD' ? undefined : errorXml(code, message));
      };
      const fault = faults.shift();
      if (fault !== undefined) return answer(fault.status, fault.code, 'injected by the test harness');
      const verdict = verifySigV4(
        { method: req.method ?? 'GET', rawUrl: url, headers: req.headers, body },
        secrets,
      );
      if (!verdict.ok) return answer(verdict.status, verdict.code, verdict.message);
      const upstream = httpRequest(
        { host: '127.0.0.1', port: backendPort, method: req.method, path: url, headers: req.headers },
        (upstreamRes) => {
          requests.push({ method: req.method ?? 'GET', url, status: upstreamRes.statusCode ?? 0 });
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstream.on('error', (error) => answer(502, 'BadGateway', error.message));
      upstream.end(body);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  proxy.listen(0, '127.0.0.1');
  try {
    await once(proxy, 'listening');
  } catch (error) {
    await stopChild(child);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const { port } = proxy.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    bucket,
    credentials: { ...S3_TEST_CREDENTIALS },
    requests,
    objectFile: (key, inBucket = bucket) => join(directory, inBucket, ...key.split('/')) + '._S3rver_object',
    failNext: (count, status, code = 'ServiceUnavailable') => {
      for (let i = 0; i < count; i += 1) faults.push({ status, code });
    },
    stop: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

const CHILD_SCRIPT = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));

/** Starts s3rver in a child process and waits for the port it listens on. */
async function startS3rverProcess(
  directory: string,
  buckets: readonly string[],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD_SCRIPT, directory, ...buckets], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      lines.once('line', (line) => {
        const parsed = JSON.parse(line) as { port?: unknown };
        if (typeof parsed.port === 'number') resolve(parsed.port);
        else reject(new Error(`s3rver printed ${line}`));
      });
      child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${stderr}`)));
      child.once('error', reject);
    });
    return { child, port };
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
