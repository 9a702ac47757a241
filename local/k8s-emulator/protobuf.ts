// Just enough Kubernetes protobuf to read the one body kubectl always sends as protobuf: the
// SelfSubjectAccessReview of `kubectl auth can-i` (k8s.io/api/authorization/v1/generated.proto).
// Wire format: "k8s\0" + runtime.Unknown{1: typeMeta, 2: raw, 3: contentEncoding, 4: contentType}.

type Fields = Map<number, Buffer[]>;

function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = buf[i++];
    if (b === undefined) throw new Error('truncated varint');
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, i];
    shift += 7;
    if (shift > 63) throw new Error('varint too long');
  }
}

/** Length-delimited fields of one message (varints are skipped; fixed-size ones too). */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  while (i < buf.length) {
    const [key, next] = varint(buf, i);
    i = next;
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        i = varint(buf, i)[1];
        break;
      case 1:
        i += 8;
        break;
      case 2: {
        const [len, start] = varint(buf, i);
        const list = out.get(field) ?? [];
        list.push(buf.subarray(start, start + len));
        out.set(field, list);
        i = start + len;
        break;
      }
      case 5:
        i += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
  return out;
}

const str = (f: Fields, n: number): string | undefined => f.get(n)?.[0]?.toString('utf8');

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** Decodes a protobuf SelfSubjectAccessReview into its JSON shape ({ spec }). */
export function decodeSelfSubjectAccessReview(body: Buffer): unknown {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\u0000')
    throw new Error('missing the k8s protobuf envelope');
  const raw = fields(body.subarray(4)).get(2)?.[0];
  if (!raw) throw new Error('empty protobuf object');
  const spec = fields(raw).get(2)?.[0];
  const s = spec ? fields(spec) : new Map<number, Buffer[]>();
  const out: Record<string, unknown> = {};
  const ra = s.get(1)?.[0];
  if (ra) {
    const f = fields(ra);
    const attrs: Record<string, string> = {};
    const names = ['', 'namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
    for (let n = 1; n <= 7; n++) {
      const v = str(f, n);
      if (v) attrs[names[n] as string] = v;
    }
    out['resourceAttributes'] = attrs;
  }
  const nra = s.get(2)?.[0];
  if (nra) {
    const f = fields(nra);
    out['nonResourceAttributes'] = { path: str(f, 1) ?? '', verb: str(f, 2) ?? '' };
  }
  return { spec: out };
}
