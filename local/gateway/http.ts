import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorBody, GatewayError } from './errors.ts';

/** The port is taken (or not allowed): `up` prints the message and exits 1. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, { 'content-type': 'application/json' }, JSON.stringify(value));
}

export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { 'content-type': 'application/json' }, errorBody(code, message));
}

/** The whole body, or a 413 GatewayError once it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new GatewayError(413, 'payload-too-large', `request body over ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Listens, turning EADDRINUSE/EACCES into one clear PortInUseError. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new PortInUseError(`port ${port} on ${host} is already in use; pick another with --port or PORT`),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new PortInUseError(
            `not allowed to listen on port ${port} on ${host}; pick a port above 1023 with --port`,
          ),
        );
      } else reject(error);
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
