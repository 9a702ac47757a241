// Continue tokens in the apiserver's format (pkg/storage/continue.go): base64url of
// {"v":"meta.k8s.io/v1","rv":<list revision>,"start":"<last key>\u0000"}; rv -1 means "continue at latest".
import { badRequest } from './status-errors.ts';

export interface ContinueToken {
  rv: number;
  start: string;
}

/** base64url(JSON{v, rv, start}) with `start` = last key + NUL, as apiserver pkg/storage/continue.go. */
export function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` })).toString(
    'base64url',
  );
}

export function decodeContinue(token: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data at input byte 0');
  }
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (t.v !== 'meta.k8s.io/v1') {
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
  if (typeof t.rv !== 'number' || typeof t.start !== 'string' || t.start === '') {
    throw badRequest('continue key is not valid: encoded start key is invalid');
  }
  // The apiserver resolves `start` relative to the request's key prefix; keys never contain '..'.
  if (t.start.includes('..')) throw badRequest('continue key is not valid: key path must not contain ..');
  const start = t.start.endsWith('\u0000') ? t.start.slice(0, -1) : t.start;
  return { rv: t.rv, start };
}
