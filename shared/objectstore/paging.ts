import { ObjectStoreError, type ObjectStoreSystem } from './errors.ts';

/** S3's page limit; also the default. */
export const MAX_PAGE = 1000;

export function pageSize(maxKeys: number | undefined, system: ObjectStoreSystem): number {
  if (maxKeys === undefined) return MAX_PAGE;
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > MAX_PAGE) {
    throw new ObjectStoreError(`maxKeys must be a whole number in 1..${MAX_PAGE}, got ${maxKeys}`, {
      system,
      operation: 'list',
    });
  }
  return maxKeys;
}

/** The directory backend's continuation token: the last key of the page, opaque to callers. */
export function encodeToken(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeToken(token: string, system: ObjectStoreSystem): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (key === '' || encodeToken(key) !== token) {
    throw new ObjectStoreError('invalid continuation token', { system, operation: 'list' });
  }
  return key;
}
