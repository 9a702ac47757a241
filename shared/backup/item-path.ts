// Where an object lives inside an archive, in Velero's layout:
//   resources/<plural>[.<group>]/namespaces/<namespace>/<name>.json
//   resources/<plural>[.<group>]/cluster/<name>.json
// The path carries the resource (plural and group), so a restore needs no discovery to address it.
import { ArchiveError } from '../archive/errors.ts';
import { groupResource } from './order.ts';

export interface ItemAddress {
  plural: string;
  group: string;
  /** undefined for cluster-scoped objects. */
  namespace?: string | undefined;
  name: string;
}

export function itemPath(address: ItemAddress): string {
  const resource = groupResource(address.plural, address.group);
  return address.namespace === undefined
    ? `resources/${resource}/cluster/${address.name}.json`
    : `resources/${resource}/namespaces/${address.namespace}/${address.name}.json`;
}

const PATH =
  /^resources\/([a-z0-9-]+)(?:\.([a-z0-9.-]+))?\/(?:namespaces\/([a-z0-9-]+)|cluster)\/([^/]+)\.json$/;

export function parseItemPath(path: string): ItemAddress {
  const match = PATH.exec(path);
  if (!match)
    throw new ArchiveError('invalid-item', `item path ${path} is not resources/<resource>/.../<name>.json`);
  const [, plural = '', group = '', namespace, name = ''] = match;
  return { plural, group, namespace, name };
}
