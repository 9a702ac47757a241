// An independent SigV4 check for the S3 test server. s3rver only looks up the access key of a V4
// request and never checks its signature, so the harness puts this in front of it: a wrong secret,
// a tampered header or a body that does not match x-amz-content-sha256 is refused as S3 refuses it.
// Written from the AWS SigV4 documentation, not from the signing library the store uses.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface IncomingSigned {
  method: string;
  /** Path and query exactly as received (still percent-encoded). */
  rawUrl: string;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export type Verdict =
  { ok: true; accessKeyId: string } | { ok: false; status: number; code: string; message: string };

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

const hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding of one component, as SigV4 wants it. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
      const value = decodeURIComponent(at < 0 ? '' : pair.slice(at + 1));
      return [uriEncode(name), uriEncode(value)] as const;
    })
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function headerValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

export function verifySigV4(request: IncomingSigned, secrets: ReadonlyMap<string, string>): Verdict {
  const authorization = headerValue(request.headers['authorization']);
  const match = AUTH.exec(authorization);
  if (!match) {
    return {
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message: 'missing or malformed SigV4 Authorization',
    };
  }
  const [, accessKeyId = '', day = '', region = '', service = '', signedHeaders = '', signature = ''] = match;
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) {
    return {
      ok: false,
      status: 403,
      code: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
    };
  }
  const amzDate = headerValue(request.headers['x-amz-date']);
  const payloadHash = headerValue(request.headers['x-amz-content-sha256']);
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date') || !amzDate.startsWith(day)) {
    return { ok: false, status: 403, code: 'AccessDenied', message: 'host and x-amz-date must be signed' };
  }
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== hex(request.body)) {
    return {
      ok: false,
      status: 400,
      code: 'XAmzContentSHA256Mismatch',
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    };
  }
  const queryAt = request.rawUrl.indexOf('?');
  const path = queryAt < 0 ? request.rawUrl : request.rawUrl.slice(0, queryAt);
  const query = queryAt < 0 ? '' : request.rawUrl.slice(queryAt + 1);
  const canonicalRequest = [
    request.method.toUpperCase(),
    // S3 signs the path as sent: each segment decoded and re-encoded, no normalisation.
    path
      .split('/')
      .map((segment) => uriEncode(decodeURIComponent(segment)))
      .join('/'),
    canonicalQuery(query),
    ...names.map((name) => `${name}:${headerValue(request.headers[name])}`),
    '',
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const provided = Buffer.from(signature, 'hex');
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    return {
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  return { ok: true, accessKeyId };
}
