// SigV4 signing through `aws4` (a signing library, not a cloud SDK). Kept to one function so the
// store's request code never sees the signer's shape.
import aws4 from 'aws4';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary credentials (STS-style); most self-hosted stores never use it. */
  sessionToken?: string;
}

export interface UnsignedRequest {
  method: string;
  /** Full URL; its path must already be percent-encoded (RFC 3986) segment by segment. */
  url: URL;
  headers: Record<string, string>;
  /** Hex SHA-256 of the body (of the empty string when there is none): signed as x-amz-content-sha256. */
  payloadSha256: string;
  region: string;
  /** Signing time; defaults to now. Tests pass a fixed one to compare with published examples. */
  date?: Date;
}

export interface SignedRequest {
  /** Path and query exactly as signed: send these, not the input URL's. */
  pathAndQuery: string;
  headers: Record<string, string>;
}

export function signS3Request(request: UnsignedRequest, credentials: S3Credentials): SignedRequest {
  const headers: Record<string, string> = {
    ...request.headers,
    'x-amz-content-sha256': request.payloadSha256,
  };
  if (request.date !== undefined) {
    headers['x-amz-date'] = request.date.toISOString().replace(/[:-]|\.\d{3}/g, '');
  }
  const signed = aws4.sign(
    {
      service: 's3',
      region: request.region,
      method: request.method,
      host: request.url.host,
      path: `${request.url.pathname}${request.url.search}`,
      headers,
    },
    {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
    },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) {
    // fetch sets Host from the URL (the same value aws4 signed).
    if (name.toLowerCase() === 'host' || value === undefined) continue;
    out[name] = String(value);
  }
  return { pathAndQuery: signed.path ?? '/', headers: out };
}

/** One path segment, percent-encoded as SigV4's canonical URI wants it (RFC 3986 unreserved kept). */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A key as a URL path, `/` kept as the separator. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeSegment).join('/');
}
