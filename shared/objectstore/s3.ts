// The S3 backend: any self-hosted S3-compatible store (MinIO, Garage, Ceph RGW, SeaweedFS) with
// path-style addressing (`<endpoint>/<bucket>/<key>`), SigV4 signing, multipart upload for large
// bodies, and the content's SHA-256 recorded as `x-amz-meta-sha256` and checked on every read.

import { isSha256Hex, sha256Hex } from './checksum.ts';
import {
  ObjectNotFoundError,
  ObjectStoreAuthError,
  ObjectStoreError,
  isObjectStoreError,
  type ObjectStoreErrorInit,
} from './errors.ts';
import { checkKey, checkPrefix } from './key.ts';
import { checkMetadata, SHA256_METADATA } from './metadata.ts';
import { pageSize } from './paging.ts';
import { DEFAULT_STORE_RETRY, isRetryableStatus, withRetry, type RetryOptions } from './retry.ts';
import { encodeKey, encodeSegment, signS3Request, type S3Credentials } from './s3-sign.ts';
import { completeMultipartXml, parseErrorBody, parseListResult, parseUploadId } from './s3-xml.ts';
import type {
  GetOptions,
  GetResult,
  ObjectListOptions,
  ListPage,
  ObjectHead,
  ObjectStore,
  PutOptions,
  PutResult,
} from './types.ts';
import { verifyContent } from './verify.ts';

/** S3's minimum part size (all parts but the last); also the part size used. */
export const PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024;
/** Only the signing scope: self-hosted stores accept it whatever their "region" is. */
export const DEFAULT_REGION = 'us-east-1';

const EMPTY_SHA256 = sha256Hex('');
const META_PREFIX = 'x-amz-meta-';

export interface S3StoreOptions {
  /** The store's base URL, e.g. `http://minio.storage:9000` (a path prefix is kept). */
  endpoint: string | URL;
  bucket: string;
  region?: string;
  credentials: S3Credentials;
  /** Bodies larger than this go up as a multipart upload in 5 MiB parts. */
  multipartThresholdBytes?: number;
  /** Timeout of one HTTP request. */
  timeoutMs?: number;
  retry?: RetryOptions;
  fetch?: typeof fetch;
}

export function createS3Store(options: S3StoreOptions): ObjectStore {
  return new S3Store(options);
}

interface Call {
  operation: string;
  key?: string | undefined;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** The object key (undefined for bucket-level requests). */
  objectKey?: string | undefined;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array | undefined;
  /** Whether repeating the request after an ambiguous failure is harmless. */
  repeatable: boolean;
  /** Statuses that are answers, not failures (404 for HEAD). */
  accept?: readonly number[];
  signal?: AbortSignal | undefined;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

class S3Store implements ObjectStore {
  readonly system = 's3' as const;
  readonly location: string;
  private readonly endpoint: URL;
  private readonly basePath: string;
  private readonly bucket: string;
  private readonly region: string;
  private readonly credentials: S3Credentials;
  private readonly threshold: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryOptions;
  private readonly fetch: typeof fetch;

  constructor(options: S3StoreOptions) {
    const endpoint = new URL(String(options.endpoint));
    const invalid = (message: string): never => {
      throw new ObjectStoreError(message, { system: 's3', operation: 'configure' });
    };
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      invalid(`endpoint ${endpoint.href} must be http or https`);
    }
    if (
      endpoint.search !== '' ||
      endpoint.hash !== '' ||
      endpoint.username !== '' ||
      endpoint.password !== ''
    ) {
      invalid(
        'endpoint must be a plain base URL (no query, fragment or user info; credentials come from files)',
      );
    }
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket) || options.bucket.includes('..')) {
      invalid(`bucket "${options.bucket}" is not a valid bucket name (3-63 of a-z, 0-9, ".", "-")`);
    }
    if (options.credentials.accessKeyId === '' || options.credentials.secretAccessKey === '') {
      invalid('access key and secret key must not be empty');
    }
    const threshold = options.multipartThresholdBytes ?? DEFAULT_MULTIPART_THRESHOLD;
    if (!Number.isInteger(threshold) || threshold < 1)
      invalid(`multipart threshold ${threshold} must be >= 1`);
    this.endpoint = endpoint;
    this.basePath = endpoint.pathname.replace(/\/+$/, '');
    this.bucket = options.bucket;
    this.region = options.region ?? DEFAULT_REGION;
    this.credentials = options.credentials;
    this.threshold = threshold;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.retry = options.retry ?? DEFAULT_STORE_RETRY;
    this.fetch = options.fetch ?? fetch;
    this.location = `s3 ${endpoint.origin}${this.basePath}/${this.bucket}`;
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    checkKey(key, this.system, 'put');
    const sha256 = sha256Hex(body);
    const headers: Record<string, string> = {
      'content-type': options.contentType ?? 'application/octet-stream',
      [`${META_PREFIX}${SHA256_METADATA}`]: sha256,
    };
    for (const [name, value] of Object.entries(checkMetadata(options.metadata, this.system, key))) {
      headers[`${META_PREFIX}${name}`] = value;
    }
    if (body.byteLength > this.threshold) {
      await this.putMultipart(key, body, headers, options.signal);
    } else {
      await this.call({
        operation: 'put',
        key,
        method: 'PUT',
        objectKey: key,
        headers,
        body,
        repeatable: true,
        signal: options.signal,
      });
    }
    return { key, size: body.byteLength, sha256 };
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    checkKey(key, this.system, 'get');
    const answer = await this.call({
      operation: 'get',
      key,
      method: 'GET',
      objectKey: key,
      repeatable: true,
      signal: options.signal,
    });
    const head = this.headFrom(key, answer.headers, answer.body.byteLength);
    verifyContent(this.system, answer.body, head, options);
    return { body: answer.body, head };
  }

  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectHead | undefined> {
    checkKey(key, this.system, 'head');
    const answer = await this.call({
      operation: 'head',
      key,
      method: 'HEAD',
      objectKey: key,
      repeatable: true,
      accept: [404],
      signal: options.signal,
    });
    if (answer.status === 404) return undefined;
    return this.headFrom(key, answer.headers, Number(answer.headers.get('content-length') ?? '0'));
  }

  async list(prefix: string, options: ObjectListOptions = {}): Promise<ListPage> {
    checkPrefix(prefix, this.system);
    const query: Record<string, string> = {
      'list-type': '2',
      'max-keys': String(pageSize(options.maxKeys, this.system)),
    };
    if (prefix !== '') query.prefix = prefix;
    if (options.continuationToken !== undefined) query['continuation-token'] = options.continuationToken;
    const answer = await this.call({
      operation: 'list',
      key: prefix,
      method: 'GET',
      query,
      repeatable: true,
      signal: options.signal,
    });
    let result;
    try {
      result = parseListResult(answer.body.toString('utf8'));
    } catch (error) {
      throw new ObjectStoreError(`unreadable ListObjectsV2 answer: ${String(error)}`, {
        system: this.system,
        operation: 'list',
        key: prefix,
        status: answer.status,
        cause: error,
      });
    }
    if (result.isTruncated && result.nextContinuationToken === undefined) {
      throw new ObjectStoreError('truncated listing without a continuation token', {
        system: this.system,
        operation: 'list',
        key: prefix,
        status: answer.status,
      });
    }
    return result.isTruncated && result.nextContinuationToken !== undefined
      ? { objects: result.objects, nextToken: result.nextContinuationToken }
      : { objects: result.objects };
  }

  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    checkKey(key, this.system, 'delete');
    const answer = await this.call({
      operation: 'delete',
      key,
      method: 'DELETE',
      objectKey: key,
      repeatable: true,
      accept: [404],
      signal: options.signal,
    });
    if (answer.status === 404) {
      // Absent object: done. Absent bucket: a real failure.
      const error = parseErrorBody(answer.body.toString('utf8'));
      if (error?.code !== undefined && error.code !== 'NoSuchKey') {
        throw this.errorFor('delete', key, answer.status, answer.body);
      }
    }
  }

  async copy(
    sourceKey: string,
    targetKey: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ObjectHead> {
    checkKey(sourceKey, this.system, 'copy');
    checkKey(targetKey, this.system, 'copy');
    const answer = await this.call({
      operation: 'copy',
      key: `${sourceKey} -> ${targetKey}`,
      method: 'PUT',
      objectKey: targetKey,
      headers: {
        'x-amz-copy-source': `/${encodeSegment(this.bucket)}/${encodeKey(sourceKey)}`,
        'x-amz-metadata-directive': 'COPY',
      },
      repeatable: true,
      signal: options.signal,
    });
    // CopyObject may answer 200 with an <Error> body when it fails late.
    this.refuseErrorBody('copy', targetKey, answer);
    const head = await this.head(targetKey, options);
    if (head === undefined) {
      throw new ObjectNotFoundError('the copy is not there after a successful CopyObject', {
        system: this.system,
        operation: 'copy',
        key: targetKey,
      });
    }
    return head;
  }

  private async putMultipart(
    key: string,
    body: Uint8Array,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const started = await this.call({
      operation: 'put (start multipart)',
      key,
      method: 'POST',
      objectKey: key,
      query: { uploads: '' },
      headers,
      // A repeat only leaves an unused upload behind, which the abort below or a lifecycle rule removes.
      repeatable: true,
      signal,
    });
    const uploadId = parseUploadId(started.body.toString('utf8'));
    if (uploadId === undefined || uploadId === '') {
      throw new ObjectStoreError('CreateMultipartUpload answered without an UploadId', {
        system: this.system,
        operation: 'put',
        key,
        status: started.status,
      });
    }
    try {
      const parts: { partNumber: number; etag: string }[] = [];
      // Sequential on purpose: a bot has little memory and CPU to spare, and parts are 5 MiB.
      for (let offset = 0, partNumber = 1; offset < body.byteLength; offset += PART_SIZE, partNumber += 1) {
        const part = body.subarray(offset, Math.min(offset + PART_SIZE, body.byteLength));
        const answer = await this.call({
          operation: `put (part ${partNumber})`,
          key,
          method: 'PUT',
          objectKey: key,
          query: { partNumber: String(partNumber), uploadId },
          body: part,
          repeatable: true,
          signal,
        });
        const etag = answer.headers.get('etag');
        if (etag === null) {
          throw new ObjectStoreError(`UploadPart ${partNumber} answered without an ETag`, {
            system: this.system,
            operation: 'put',
            key,
            status: answer.status,
          });
        }
        parts.push({ partNumber, etag });
      }
      const completed = await this.call({
        operation: 'put (complete multipart)',
        key,
        method: 'POST',
        objectKey: key,
        query: { uploadId },
        headers: { 'content-type': 'application/xml' },
        body: Buffer.from(completeMultipartXml(parts), 'utf8'),
        // Repeating a completed upload fails with NoSuchUpload: the whole put is retried instead.
        repeatable: false,
        signal,
      });
      this.refuseErrorBody('put', key, completed);
    } catch (error) {
      await this.call({
        operation: 'put (abort multipart)',
        key,
        method: 'DELETE',
        objectKey: key,
        query: { uploadId },
        repeatable: true,
        accept: [404],
      }).catch(() => undefined); // the upload error is the one to report
      throw error;
    }
  }

  private headFrom(key: string, headers: Headers, size: number): ObjectHead {
    const metadata: Record<string, string> = {};
    headers.forEach((value, name) => {
      if (name.startsWith(META_PREFIX)) metadata[name.slice(META_PREFIX.length)] = value;
    });
    const recorded = metadata[SHA256_METADATA];
    const modified = Date.parse(headers.get('last-modified') ?? '');
    return {
      key,
      size,
      lastModified: new Date(Number.isNaN(modified) ? 0 : modified),
      sha256: isSha256Hex(recorded) ? recorded : undefined,
      contentType: headers.get('content-type') ?? undefined,
      metadata,
    };
  }

  private url(call: Call): URL {
    const path = `${this.basePath}/${encodeSegment(this.bucket)}${
      call.objectKey === undefined ? '' : `/${encodeKey(call.objectKey)}`
    }`;
    const url = new URL(this.endpoint.origin);
    url.pathname = path;
    const query = Object.entries(call.query ?? {})
      .map(([name, value]) =>
        value === '' ? encodeSegment(name) : `${encodeSegment(name)}=${encodeSegment(value)}`,
      )
      .join('&');
    url.search = query;
    return url;
  }

  /** One request with signing, a timeout, retries, and errors that name the store. */
  private async call(call: Call): Promise<Answer> {
    const url = this.url(call);
    const payloadSha256 = call.body === undefined ? EMPTY_SHA256 : sha256Hex(call.body);
    return withRetry<Answer>(
      async () => {
        const signed = signS3Request(
          { method: call.method, url, headers: { ...call.headers }, payloadSha256, region: this.region },
          this.credentials,
        );
        const timeout = AbortSignal.timeout(this.timeoutMs);
        let response: Response;
        let body: Buffer;
        try {
          response = await this.fetch(`${url.origin}${signed.pathAndQuery}`, {
            method: call.method,
            headers: signed.headers,
            ...(call.body === undefined ? {} : { body: call.body }),
            signal: call.signal === undefined ? timeout : AbortSignal.any([call.signal, timeout]),
          });
          body = Buffer.from(await response.arrayBuffer());
        } catch (error) {
          if (call.signal?.aborted) throw error;
          const failure = new ObjectStoreError(`request failed: ${describe(error)}`, {
            system: this.system,
            operation: call.operation,
            key: call.key,
            cause: error,
          });
          // Whether the server acted is unknown: repeat only what is harmless to repeat.
          return { done: false, retryable: call.repeatable, error: failure };
        }
        if (response.ok || call.accept?.includes(response.status)) {
          return { done: true, value: { status: response.status, headers: response.headers, body } };
        }
        const error = this.errorFor(call.operation, call.key, response.status, body);
        const retryAfter = Number(response.headers.get('retry-after'));
        return {
          done: false,
          retryable: isRetryableStatus(response.status) && (call.repeatable || response.status === 429),
          error,
          retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
        };
      },
      { ...this.retry, signal: call.signal },
    ).catch((error: unknown) => {
      if (isObjectStoreError(error)) throw error;
      throw new ObjectStoreError(describe(error), {
        system: this.system,
        operation: call.operation,
        key: call.key,
        cause: error,
      });
    });
  }

  private errorFor(
    operation: string,
    key: string | undefined,
    status: number,
    body: Buffer,
  ): ObjectStoreError {
    const parsed = parseErrorBody(body.toString('utf8'));
    const init: ObjectStoreErrorInit = {
      system: this.system,
      operation,
      key,
      status,
      serverCode: parsed?.code ?? statusCode(status),
    };
    const message = `${parsed?.message ?? 'request refused'} (${this.location})`;
    if (status === 401 || status === 403) return new ObjectStoreAuthError(message, init);
    if (status === 404 && (parsed?.code === undefined || parsed.code === 'NoSuchKey')) {
      return new ObjectNotFoundError(message, init);
    }
    return new ObjectStoreError(message, init);
  }

  private refuseErrorBody(operation: string, key: string, answer: Answer): void {
    const parsed = parseErrorBody(answer.body.toString('utf8'));
    if (parsed !== undefined) {
      throw new ObjectStoreError(`${parsed.message ?? 'failed'} (${this.location})`, {
        system: this.system,
        operation,
        key,
        status: answer.status,
        serverCode: parsed.code,
      });
    }
  }
}

/** A code for answers without an XML body (HEAD). */
function statusCode(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    default:
      return `HTTP${status}`;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
