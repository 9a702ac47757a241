import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../errors/http-error.ts';
import type { AuthConfig } from '../config/types.ts';

/** Constant-time: compare digests, so neither content nor length leaks through timing. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function challenge(auth: AuthConfig): string {
  return auth.kind === 'basic' ? 'Basic realm="eco-bots", charset="UTF-8"' : 'Bearer realm="eco-bots"';
}

function unauthorized(auth: AuthConfig, message: string): HttpError {
  return new HttpError('unauthorized', 401, message, { headers: { 'www-authenticate': challenge(auth) } });
}

/**
 * Checks the Authorization header against the configured credentials and throws a 401 HttpError
 * (with WWW-Authenticate) when it is missing or wrong. No-op when auth is off.
 */
export function checkAuth(auth: AuthConfig, header: string | undefined): void {
  if (auth.kind === 'none') return;
  if (header === undefined || header.trim() === '') throw unauthorized(auth, 'credentials required');
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (auth.kind === 'bearer') {
    if (scheme !== 'bearer' || !safeEqual(value, auth.token))
      throw unauthorized(auth, 'invalid bearer token');
    return;
  }
  if (scheme !== 'basic') throw unauthorized(auth, 'basic credentials required');
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  // Both compared every time: no early exit on a wrong user.
  const userOk = safeEqual(user, auth.user);
  const passwordOk = safeEqual(password, auth.password);
  if (!userOk || !passwordOk) throw unauthorized(auth, 'invalid credentials');
}
