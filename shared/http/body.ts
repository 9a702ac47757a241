import type { IncomingMessage } from 'node:http';
import { HttpError } from '../errors/http-error.ts';

function tooLarge(limit: number): HttpError {
  return new HttpError(
    'body-too-large',
    413,
    `request body is over the limit of ${limit} bytes (ECO_MAX_BODY_BYTES)`,
    {
      headers: { connection: 'close' },
    },
  );
}

/**
 * Reads the body as UTF-8, refusing more than `limit` bytes: a declared Content-Length over the
 * limit fails before reading, and a stream that grows past it stops being read (never buffered).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error === undefined) resolve(Buffer.concat(chunks, size).toString('utf8'));
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.pause();
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (error: Error): void => finish(error);
    const onAborted = (): void => finish(new Error('request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
