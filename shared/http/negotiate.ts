import type { IncomingMessage } from 'node:http';

/** Request headers as one string each (repeated headers joined), lower-case names as Node gives them. */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers = req.headers;
  // Node already joins repeated headers except set-cookie: usually the object can be used as it is.
  let flat = true;
  for (const name in headers) {
    if (typeof headers[name] !== 'string') {
      flat = false;
      break;
    }
  }
  if (flat) return headers as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}

/** Whether the Accept header names this media type, and does not put JSON before it. */
export function accepts(accept: string | undefined, contentType: string): boolean {
  if (accept === undefined) return false;
  const wanted = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const types = accept
    .toLowerCase()
    .split(',')
    .map((part) => part.split(';'))
    .filter((params) => !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p)))
    .map((params) => (params[0] ?? '').trim());
  const at = types.indexOf(wanted);
  if (at < 0) return false;
  const json = types.indexOf('application/json');
  return json < 0 || at < json;
}
