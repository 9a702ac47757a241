import { describe, expect, it } from 'vitest';
import {
  completeMultipartXml,
  parseErrorBody,
  parseListResult,
  parseUploadId,
} from '../../../shared/objectstore/s3-xml.ts';

describe('S3 XML documents', () => {
  it('reads a ListBucketResult: keys kept as text, entities decoded, one or many Contents', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>0001</Key><LastModified>2026-12-04T02:00:00.000Z</LastModified><ETag>&quot;x&quot;</ETag><Size>42</Size></Contents>
<Contents><Key> a &amp; b&#x27;s &lt;key&gt; </Key><LastModified>2026-12-04T03:00:00.000Z</LastModified><Size>0</Size></Contents>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>`;
    expect(parseListResult(xml)).toEqual({
      objects: [
        { key: '0001', size: 42, lastModified: new Date('2026-12-04T02:00:00.000Z') },
        { key: " a & b's <key> ", size: 0, lastModified: new Date('2026-12-04T03:00:00.000Z') },
      ],
      isTruncated: true,
      nextContinuationToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
    });
    const empty = '<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>';
    expect(parseListResult(empty)).toEqual({
      objects: [],
      isTruncated: false,
      nextContinuationToken: undefined,
    });
    expect(() => parseListResult('<Error><Code>x</Code></Error>')).toThrow(/not a ListBucketResult/);
  });

  it('reads an Error, and nothing from a body that is not one', () => {
    expect(
      parseErrorBody(
        '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The key &quot;x&quot;</Message></Error>',
      ),
    ).toEqual({ code: 'NoSuchKey', message: 'The key "x"' });
    expect(parseErrorBody('<CopyObjectResult><ETag>x</ETag></CopyObjectResult>')).toBeUndefined();
    expect(parseErrorBody('')).toBeUndefined();
  });

  it('reads an UploadId and writes CompleteMultipartUpload', () => {
    expect(
      parseUploadId(
        '<InitiateMultipartUploadResult><Bucket>b</Bucket><UploadId>abc-1</UploadId></InitiateMultipartUploadResult>',
      ),
    ).toBe('abc-1');
    expect(completeMultipartXml([{ partNumber: 1, etag: '"e1"' }])).toContain(
      '<Part><PartNumber>1</PartNumber><ETag>&#34;e1&#34;</ETag></Part>',
    );
  });
});
