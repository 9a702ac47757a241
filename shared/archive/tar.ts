// A minimal tar writer and reader for backup archives: regular files only, POSIX ustar headers,
// a PAX `path` record for names over 100 bytes, two zero blocks at the end. Written here rather than
// taken from npm because tar-stream and its stream stack cost 40 KB of a bot's 500 KiB bundle, and
// an archive of JSON items needs nothing else. The output is read by GNU and BSD tar (tested).
//
// The reader is strict, since it runs on archives that may be damaged: every header checksum is
// verified, a file running past the end or a missing end-of-archive marker is "truncated", and any
// entry type other than a file (links, devices, folders) is refused.
import { ArchiveError } from './errors.ts';

const BLOCK = 512;

export interface TarFile {
  path: string;
  bytes: Buffer;
}

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as ustar writes numbers.
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: Date, type: '0' | 'x'): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  block.write('        ', 148, 'ascii'); // checksum field counts as spaces while summing
  block.write(type, 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write('root', 265, 'ascii');
  block.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

function padded(bytes: Buffer): Buffer[] {
  const rest = bytes.byteLength % BLOCK;
  return rest === 0 ? [bytes] : [bytes, Buffer.alloc(BLOCK - rest)];
}

/** A PAX record `"<len> path=<value>\n"`, where <len> counts the whole record including itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length += 1;
  return `${length}${body}`;
}

export function writeTar(files: readonly TarFile[], mtime: Date): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    if (Buffer.byteLength(file.path) > 100) {
      const pax = Buffer.from(paxRecord('path', file.path), 'utf8');
      parts.push(header('PaxHeader', pax.byteLength, mtime, 'x'), ...padded(pax));
    }
    const shortName = Buffer.from(file.path)
      .subarray(0, 100)
      .toString('utf8')
      .replace(/\uFFFD+$/, '');
    parts.push(header(shortName, file.bytes.byteLength, mtime, '0'), ...padded(file.bytes));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function field(block: Buffer, offset: number, width: number): string {
  const raw = block.subarray(offset, offset + width);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? width : end).toString('utf8');
}

function number(block: Buffer, offset: number, width: number, what: string): number {
  const text = field(block, offset, width).trim();
  if (!/^[0-7]+$/.test(text)) throw new ArchiveError('format', `tar header ${what} "${text}" is not octal`);
  return parseInt(text, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.byteLength) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (space < 0 || !Number.isInteger(length) || length <= 0 || at + length > data.byteLength) {
      throw new ArchiveError('format', 'malformed PAX header');
    }
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}

export function readTar(tar: Buffer): TarFile[] {
  const files: TarFile[] = [];
  let at = 0;
  let longPath: string | undefined;
  for (;;) {
    if (at + BLOCK > tar.byteLength)
      throw new ArchiveError('truncated', 'tar ends without its end-of-archive blocks');
    const block = tar.subarray(at, at + BLOCK);
    if (block.every((byte) => byte === 0)) return files;
    const recorded = number(block, 148, 8, 'checksum');
    let sum = 0;
    for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    if (sum !== recorded) throw new ArchiveError('format', `tar header at byte ${at} has a bad checksum`);
    const size = number(block, 124, 12, 'size');
    const type = String.fromCharCode(block[156] ?? 0);
    const start = at + BLOCK;
    if (start + size > tar.byteLength)
      throw new ArchiveError('truncated', 'a tar entry runs past the end of the data');
    const data = tar.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longPath = parsePax(data).path ?? longPath;
      continue;
    }
    if (type === 'L') {
      longPath = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(block, 345, 155);
    const name = longPath ?? (prefix === '' ? field(block, 0, 100) : `${prefix}/${field(block, 0, 100)}`);
    longPath = undefined;
    if (type !== '0' && type !== '\0') {
      throw new ArchiveError('format', `tar entry ${name} is of type "${type}", only files are allowed`);
    }
    files.push({ path: name, bytes: Buffer.from(data) });
  }
}
