// URL grammar of the Kubernetes API (wire spec §2) -> a parsed resource request, and the RBAC attributes
// the apiserver derives from it (apiserver pkg/endpoints/request/requestinfo.go).
import type { Registry, ResourceDef } from './resources.ts';
import type { RequestAttributes } from './rbac.ts';
import { unknownResource } from './status-errors.ts';

export interface ResourceRequest {
  def: ResourceDef;
  group: string;
  version: string;
  /** Namespace from the URL ('' for cluster-scoped paths and all-namespace lists). */
  namespace: string;
  /** Object name ('' for collection requests). */
  name: string;
  subresource: string;
  /** Legacy `/watch/` path segment, or `?watch=true|1`. */
  watch: boolean;
  /** User-Agent of the request (default field manager). */
  userAgent?: string;
}

export interface ParsedPath {
  group: string;
  version: string;
  segments: string[];
  legacyWatch: boolean;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape cannot name any resource: let the lookup answer 404.
    return segment;
  }
}

/** Splits `/api/v1/...` or `/apis/g/v/...`; undefined for non-resource paths. */
export function splitApiPath(pathname: string): ParsedPath | undefined {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(safeDecode);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else return undefined;
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  return { group, version, segments: rest, legacyWatch };
}

/** Resolves the resource addressed by the path, or throws the 404 for an unknown resource. */
export function parseResourceRequest(reg: Registry, p: ParsedPath, watchParam: boolean): ResourceRequest {
  const s = p.segments;
  const look = (plural: string | undefined): ResourceDef => {
    const d = plural === undefined ? undefined : reg.byPath(p.group, p.version, plural);
    if (!d) throw unknownResource();
    return d;
  };
  const base = { group: p.group, version: p.version, watch: p.legacyWatch || watchParam };
  // namespaces/{ns}/{resource}[/{name}[/{sub}]] for namespaced kinds.
  if (
    s[0] === 'namespaces' &&
    s.length >= 3 &&
    !(p.group === '' && s.length === 3 && (s[2] === 'status' || s[2] === 'finalize'))
  ) {
    const def = look(s[2]);
    if (!def.namespaced || s.length > 5) throw unknownResource();
    const sub = s[4] ?? '';
    if (sub && !def.subresources.includes(sub)) throw unknownResource();
    return { ...base, def, namespace: s[1] as string, name: s[3] ?? '', subresource: sub };
  }
  const def = look(s[0]);
  if (s.length > 3) throw unknownResource();
  if (def.namespaced && s.length > 1) throw unknownResource();
  const sub = s[2] ?? '';
  if (sub && !def.subresources.includes(sub)) throw unknownResource();
  return { ...base, def, namespace: '', name: s[1] ?? '', subresource: sub };
}

/** The authorisation attributes of a resource request. */
export function attributesOf(r: ResourceRequest, method: string, pathname: string): RequestAttributes {
  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = r.watch ? 'watch' : r.name ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = r.name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = method.toLowerCase();
  }
  // For /api/v1/namespaces/{name} the apiserver sets the namespace attribute to the name itself.
  const namespace = r.def.plural === 'namespaces' && r.def.group === '' ? r.name : r.namespace;
  return {
    verb,
    resourceRequest: true,
    apiGroup: r.group,
    resource: r.def.plural,
    subresource: r.subresource,
    name: r.name,
    namespace,
    path: pathname,
  };
}
