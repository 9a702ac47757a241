// The few S3 XML documents the store reads, parsed with fast-xml-parser. Tag values stay strings
// (a key "0001" must not become the number 1) and single elements are still arrays.
import { XMLParser } from 'fast-xml-parser';
import type { ObjectSummary } from './types.ts';

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // Numeric character references (s3rver writes ' as &#x27;) are decoded too.
  htmlEntities: true,
  isArray: (name) => name === 'Contents' || name === 'CommonPrefixes',
});

type Node = Record<string, unknown>;

function parse(xml: string): Node {
  const doc: unknown = parser.parse(xml);
  return isNode(doc) ? doc : {};
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(node: Node, name: string): string | undefined {
  const value = node[name];
  return typeof value === 'string' ? value : undefined;
}

export interface S3ErrorBody {
  code: string | undefined;
  message: string | undefined;
}

/** `<Error><Code>..</Code><Message>..</Message></Error>`; undefined when the body is not one. */
export function parseErrorBody(xml: string): S3ErrorBody | undefined {
  if (!xml.includes('<Error')) return undefined;
  try {
    const error = parse(xml).Error;
    if (!isNode(error)) return undefined;
    return { code: text(error, 'Code'), message: text(error, 'Message') };
  } catch {
    return undefined;
  }
}

export interface ListResult {
  objects: ObjectSummary[];
  isTruncated: boolean;
  nextContinuationToken: string | undefined;
}

/** ListObjectsV2's ListBucketResult. */
export function parseListResult(xml: string): ListResult {
  const result = parse(xml).ListBucketResult;
  if (!isNode(result)) throw new Error('not a ListBucketResult document');
  const contents = Array.isArray(result.Contents) ? result.Contents : [];
  const objects: ObjectSummary[] = [];
  for (const entry of contents) {
    if (!isNode(entry)) continue;
    const key = text(entry, 'Key');
    if (key === undefined) continue;
    const size = Number(text(entry, 'Size') ?? '0');
    const modified = Date.parse(text(entry, 'LastModified') ?? '');
    objects.push({
      key,
      size: Number.isFinite(size) ? size : 0,
      lastModified: new Date(Number.isNaN(modified) ? 0 : modified),
    });
  }
  return {
    objects,
    isTruncated: text(result, 'IsTruncated') === 'true',
    nextContinuationToken: text(result, 'NextContinuationToken'),
  };
}

/** InitiateMultipartUploadResult's UploadId. */
export function parseUploadId(xml: string): string | undefined {
  const result = parse(xml).InitiateMultipartUploadResult;
  return isNode(result) ? text(result, 'UploadId') : undefined;
}

/** The CompleteMultipartUpload request body. ETags are quoted strings from the server; escaped anyway. */
export function completeMultipartXml(parts: ReadonlyArray<{ partNumber: number; etag: string }>): string {
  const items = parts
    .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${items}</CompleteMultipartUpload>`;
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
