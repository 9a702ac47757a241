import type { ServerResponse } from 'node:http';
import { errorToResponse } from '../errors/to-response.ts';

/** The only module that writes responses: JSON bodies, errors, binary CloudEvents, text. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  // A string body (not a Buffer): Node then sends the head and the body in one write.
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  error: unknown,
  extraHeaders: Record<string, string> = {},
): number {
  const { status, headers, body } = errorToResponse(error);
  sendJson(res, status, body, { ...extraHeaders, ...headers });
  return status;
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendMessage(
  res: ServerResponse,
  status: number,
  message: { headers: Record<string, string>; body: string },
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...extraHeaders,
    ...message.headers,
    'content-length': Buffer.byteLength(message.body),
  });
  res.end(message.body);
}
