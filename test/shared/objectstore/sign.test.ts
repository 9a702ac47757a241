// The signer (aws4) and the test server's verifier (test/helpers/sigv4-verify.ts) are checked against
// the examples published in the S3 SigV4 documentation ("Examples: Signature Calculations in AWS
// Signature Version 4"), so the two cannot agree with each other while both being wrong.
import { describe, expect, it } from 'vitest';
import { signS3Request } from '../../../shared/objectstore/s3-sign.ts';
import { sha256Hex } from '../../../shared/objectstore/index.ts';
import { verifySigV4 } from '../../helpers/sigv4-verify.ts';

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const date = new Date('2013-05-24T00:00:00Z');
const secrets = new Map([[credentials.accessKeyId, credentials.secretAccessKey]]);

function lowerCased(headers: Record<string, string>, host: string): Record<string, string> {
  const out: Record<string, string> = { host };
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

describe('SigV4 signing', () => {
  it('the verifier accepts the documented GET Object example (a signed Range header)', () => {
    // aws4 never signs Range, so this example checks the verifier alone.
    const headers = {
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': sha256Hex(''),
      'x-amz-date': '20130524T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    };
    const request = { method: 'GET', rawUrl: '/test.txt', headers, body: Buffer.alloc(0) };
    expect(verifySigV4(request, secrets)).toEqual({ ok: true, accessKeyId: credentials.accessKeyId });
    expect(verifySigV4({ ...request, headers: { ...headers, range: 'bytes=0-10' } }, secrets)).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
  });

  it('matches the documented PUT Object example (an encoded key)', () => {
    const body = 'Welcome to Amazon S3.';
    const signed = signS3Request(
      {
        method: 'PUT',
        url: new URL('https://examplebucket.s3.amazonaws.com/test%24file.text'),
        headers: { date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        payloadSha256: sha256Hex(body),
        region: 'us-east-1',
        date,
      },
      credentials,
    );
    expect(signed.headers.Authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, ' +
        'Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
  });

  it('matches the documented ListObjects example (a signed query)', () => {
    const signed = signS3Request(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J'),
        headers: {},
        payloadSha256: sha256Hex(''),
        region: 'us-east-1',
        date,
      },
      credentials,
    );
    expect(signed.headers.Authorization).toMatch(
      /Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/,
    );
  });

  it('is accepted by the test server verifier, which refuses a wrong secret, a changed header or body', () => {
    const body = Buffer.from('Welcome to Amazon S3.');
    const url = new URL('https://examplebucket.s3.amazonaws.com/a%20b/c%2Bd?uploadId=x%2Fy&partNumber=2');
    const signed = signS3Request(
      {
        method: 'PUT',
        url,
        headers: { 'x-amz-meta-sha256': sha256Hex(body) },
        payloadSha256: sha256Hex(body),
        region: 'us-east-1',
      },
      credentials,
    );
    const request = {
      method: 'PUT',
      rawUrl: signed.pathAndQuery,
      headers: lowerCased(signed.headers, url.host),
      body,
    };
    expect(verifySigV4(request, secrets)).toEqual({ ok: true, accessKeyId: credentials.accessKeyId });
    expect(verifySigV4(request, new Map([[credentials.accessKeyId, 'wrong']]))).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
    expect(
      verifySigV4({ ...request, headers: { ...request.headers, 'x-amz-meta-sha256': 'changed' } }, secrets),
    ).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verifySigV4({ ...request, body: Buffer.from('tampered') }, secrets)).toMatchObject({
      ok: false,
      code: 'XAmzContentSHA256Mismatch',
    });
    expect(verifySigV4({ ...request, headers: {} }, secrets)).toMatchObject({
      ok: false,
      code: 'AccessDenied',
    });
  });
});
