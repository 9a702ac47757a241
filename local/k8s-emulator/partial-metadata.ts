// Metadata-only answers (`Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`
// for a list, `as=PartialObjectMetadata` for one object), as client-go's metadata informers and
// `kubectl get -o name` ask for them: each object reduced to its metadata, with the kind
// PartialObjectMetadata (the object's own kind is not sent). The first media range of the header
// that fits the request decides; plain JSON (or none that fits) keeps the whole objects.
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { Reply } from './api.ts';

const META = 'meta.k8s.io';

/** Whether `accept` asks for the metadata-only form of a list (`list`) or of one object. */
export function wantsPartialMetadata(accept: string | undefined, list: boolean): boolean {
  if (accept === undefined) return false;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((p) => p.trim());
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const param = new Map(
      params.map((p) => {
        const eq = p.indexOf('=');
        return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as const;
      }),
    );
    const as = param.get('as');
    if (as === undefined) return false;
    const isMeta = param.get('g') === META && (param.get('v') === 'v1' || param.get('v') === 'v1beta1');
    if (isMeta && as === (list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return true;
  }
  return false;
}

const partial = (o: KubeObject) => ({
  kind: 'PartialObjectMetadata',
  apiVersion: `${META}/v1`,
  metadata: o.metadata,
});

/** The metadata-only form of a list or object reply (error replies pass through). */
export function partialMetadataFor(reply: Reply): Reply {
  if (reply.code !== 200 || typeof reply.body !== 'string') return reply;
  const parsed = JSON.parse(reply.body) as KubeObject & { items?: KubeObject[] };
  const body = Array.isArray(parsed.items)
    ? {
        kind: 'PartialObjectMetadataList',
        apiVersion: `${META}/v1`,
        metadata: parsed.metadata,
        items: parsed.items.map(partial),
      }
    : partial(parsed);
  return { ...reply, body: JSON.stringify(body) };
}
