import { describe, expect, it } from 'vitest';
import { checkAuth, safeEqual } from '../../../shared/auth/index.ts';
import { isHttpError, type HttpError } from '../../../shared/errors/index.ts';

function refusal(fn: () => void): HttpError {
  try {
    fn();
  } catch (error) {
    if (isHttpError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('checkAuth', () => {
  it('lets everything through when off', () => {
    expect(() => checkAuth({ kind: 'none' }, undefined)).not.toThrow();
  });

  it('bearer: 401 with a Bearer challenge on missing/wrong/other scheme', () => {
    const auth = { kind: 'bearer', token: 'tok' } as const;
    for (const header of [undefined, '', 'Bearer', 'Bearer tok2', 'Basic dG9r', 'tok']) {
      const e = refusal(() => checkAuth(auth, header));
      expect(e.status).toBe(401);
      expect(e.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    }
    expect(() => checkAuth(auth, 'Bearer tok')).not.toThrow();
  });

  it('basic: user and password both checked; passwords may contain colons', () => {
    const auth = { kind: 'basic', user: 'am', password: 'a:b' } as const;
    const b64 = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(() => checkAuth(auth, b64('am:a:b'))).not.toThrow();
    for (const header of [b64('am:a'), b64('AM:a:b'), b64('am'), 'Basic !!!', 'Bearer a:b']) {
      expect(refusal(() => checkAuth(auth, header)).headers['www-authenticate']).toMatch(/^Basic/);
    }
  });

  it('safeEqual compares content of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
