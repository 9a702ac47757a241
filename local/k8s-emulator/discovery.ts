// Discovery and version documents, generated from the resource table (legacy, non-aggregated form:
// kubectl >= 1.26 asks for aggregated discovery but accepts these). Plus the smallest OpenAPI that
// kubectl needs: /openapi/v3 lists one document per group/version whose operations carry
// x-kubernetes-group-version-kind and the `fieldValidation` parameter (so kubectl 1.27+ validates on
// the server and computes strategic merge patches from its compiled-in types), and /openapi/v2 is an
// empty protobuf Document (kubectl 1.20 reads v2 as protobuf; with no definitions it skips
// client-side validation and falls back to compiled-in patch metadata too).
import { createHash } from 'node:crypto';
import type { Registry, ResourceDef } from './resources.ts';

export const VERSION_INFO = {
  major: '1',
  minor: '35',
  gitVersion: 'v1.35.0',
  gitCommit: 'emulator',
  gitTreeState: 'clean',
  buildDate: '2025-12-17T00:00:00Z',
  goVersion: 'go1.25.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(hostPort: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: hostPort }],
  };
}

function groupDoc(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

function groupsOf(reg: Registry): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { group, version } of reg.groupVersions()) {
    if (group === '') continue;
    const list = groups.get(group) ?? [];
    if (!list.includes(version)) list.push(version);
    groups.set(group, list);
  }
  return groups;
}

export function apiGroupList(reg: Registry): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groupsOf(reg)].map(([name, versions]) => groupDoc(name, versions)),
  };
}

export function apiGroup(reg: Registry, name: string): unknown | undefined {
  const versions = groupsOf(reg).get(name);
  if (!versions) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name, versions) };
}

const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  log: ['get'],
  eviction: ['create'],
  finalize: ['update'],
};

function resourceEntries(d: ResourceDef): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: d.plural,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: [...d.verbs].sort(),
  };
  if (d.shortNames.length > 0) main['shortNames'] = d.shortNames;
  if (d.categories.length > 0) main['categories'] = d.categories;
  const out = [main];
  for (const sub of d.subresources) {
    const e: Record<string, unknown> = {
      name: `${d.plural}/${sub}`,
      singularName: '',
      namespaced: d.namespaced,
    };
    if (sub === 'scale') Object.assign(e, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    else if (sub === 'eviction') Object.assign(e, { group: 'policy', version: 'v1', kind: 'Eviction' });
    else e['kind'] = d.kind;
    e['verbs'] = SUBRESOURCE_VERBS[sub] ?? ['get'];
    out.push(e);
  }
  return out;
}

export function apiResourceList(reg: Registry, group: string, version: string): unknown | undefined {
  const defs = reg.all().filter((d) => d.group === group && d.version === version);
  if (defs.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: defs.flatMap(resourceEntries),
  };
}

// ---------- OpenAPI ----------

function gvPathKey(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

const param = (name: string): Record<string, unknown> => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
});
const WRITE_PARAMS = [param('dryRun'), param('fieldManager'), param('fieldValidation')];

/** A compact OpenAPI v3 document for one group/version: paths and operations, no schemas. */
export function openApiV3Doc(reg: Registry, group: string, version: string): unknown | undefined {
  const defs = reg.all().filter((d) => d.group === group && d.version === version);
  if (defs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const base = `/${gvPathKey(group, version)}`;
  for (const d of defs) {
    const gvk = { group: d.group, version: d.version, kind: d.kind };
    const op = (action: string, params: unknown[] = []): Record<string, unknown> => ({
      operationId: `${action}${d.kind}`,
      parameters: params,
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    const coll = d.namespaced ? `${base}/namespaces/{namespace}/${d.plural}` : `${base}/${d.plural}`;
    const collection: Record<string, unknown> = { get: op('list') };
    if (!d.readOnly) {
      collection['post'] = op('post', WRITE_PARAMS);
      if (d.verbs.includes('deletecollection')) collection['delete'] = op('deletecollection');
    }
    paths[coll] = collection;
    const item: Record<string, unknown> = { get: op('get') };
    if (!d.readOnly) {
      item['put'] = op('put', WRITE_PARAMS);
      item['patch'] = op('patch', [...WRITE_PARAMS, param('force')]);
      item['delete'] = op('delete', [param('dryRun')]);
    }
    paths[`${coll}/{name}`] = item;
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    components: { schemas: {} },
  };
}

export function openApiV3Root(reg: Registry): unknown {
  const paths: Record<string, unknown> = {};
  for (const { group, version } of reg.groupVersions()) {
    const key = gvPathKey(group, version);
    const hash = createHash('sha256')
      .update(JSON.stringify(openApiV3Doc(reg, group, version)))
      .digest('hex')
      .slice(0, 32)
      .toUpperCase();
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

/** openapi_v2.Document protobuf with only `swagger: "2.0"` (field 1, length-delimited). */
export const OPENAPI_V2_PROTOBUF = Buffer.from([0x0a, 0x03, 0x32, 0x2e, 0x30]);

export const OPENAPI_V2_JSON = {
  swagger: '2.0',
  info: { title: 'Kubernetes', version: VERSION_INFO.gitVersion },
  paths: {},
  definitions: {},
};
