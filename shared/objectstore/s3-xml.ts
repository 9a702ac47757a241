// The few S3 XML documents the store reads, parsed with txml (a 5 KB DOM parser; the budget of a bot
// bundle is 500 KiB). Text is kept as written (a key "0001" stays a string, spaces stay) and entities,
// numeric ones included (s3rver writes ' as &#x27;), are decoded.
import { parse, type TNode } from 'txml/txml';
import type { ObjectSummary } from './types.ts';

function root(xml: string, tagName: string): TNode | undefined {
  const nodes = parse(xml, { decodeEntities: true, keepWhitespace: true, skipXmlDeclaration: true });
  return nodes.find((node): node is TNode => typeof node !== 'string' && node.tagName === tagName);
}

function children(node: TNode, tagName: string): TNode[] {
  return node.children.filter(
    (child): child is TNode => typeof child !== 'string' && child.tagName === tagName,
  );
}

function text(node: TNode, tagName: string): string | undefined {
  const child = children(node, tagName)[0];
  return child === undefined ? undefined : child.children.filter((c) => typeof c === 'string').join('');
}

export interface S3ErrorBody {
  code: string | undefined;
  message: string | undefined;
}

/** `<Error><Code>..</Code><Message>..</Message></Error>`; undefined when the body is not one. */
export function parseErrorBody(xml: string): S3ErrorBody | undefined {
  if (!xml.includes('<Error')) return undefined;
  try {
    const error = root(xml, 'Error');
    return error === undefined ? undefined : { code: text(error, 'Code'), message: text(error, 'Message') };
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
  const result = root(xml, 'ListBucketResult');
  if (result === undefined) throw new Error('not a ListBucketResult document');
  const objects: ObjectSummary[] = [];
  for (const entry of children(result, 'Contents')) {
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
  const result = root(xml, 'InitiateMultipartUploadResult');
  return result === undefined ? undefined : text(result, 'UploadId');
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
