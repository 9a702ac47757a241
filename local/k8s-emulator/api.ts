// The verbs of the Kubernetes API over the store: get, list (selectors, paging), create, update,
// patch (four content types), delete (preconditions, finalizers, propagation), deletecollection, and
// the subresources status, scale, log and eviction. Each returns a Reply; the HTTP front sends it.
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { formatTime, prepareCreate } from './store.ts';
import type { Store } from './store.ts';
import { groupVersion } from './resources.ts';
import type { ResourceDef } from './resources.ts';
import type { ResourceRequest } from './request.ts';
import {
  CONTINUE_TOO_OLD,
  LIST_TOO_OLD,
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  invalid,
  invalidOptions,
  methodNotAllowed,
  notFound,
  notFoundNamed,
  statusBody,
  successStatus,
  unsupportedMediaType,
} from './status-errors.ts';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  selectorFromObject,
  selectorToString,
} from './selectors.ts';
import type { LabelSelectorObject } from './selectors.ts';
import {
  PATCH_TYPES,
  applyConfiguration,
  applyJsonPatch,
  applyMergePatch,
  patchKindOf,
  strategicMerge,
} from './patch.ts';
import { parseDryRun, validateListOptions, validateObject } from './validation.ts';
import type { PodLogs } from './pod-logs.ts';
import { checkEviction } from './disruption.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { FieldOwners } from './managed-fields.ts';
import type { Owner } from './managed-fields.ts';

export interface Reply {
  code: number;
  body: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ApiContext {
  store: Store;
  logs: PodLogs;
  /** Namespace deletion runs the namespace controller (contents deleted, namespace removed). */
  namespaceController: boolean;
  /** Deleting an owner deletes or orphans its dependents (the garbage collector). */
  garbageCollector: boolean;
  /** Server-side apply field ownership. */
  owners: FieldOwners;
}

interface Ownership {
  owner: Owner;
  /** The applied configuration, for apply patches. */
  applied?: KubeObject;
}

/** The field manager of a write: `fieldManager`, else the User-Agent up to the first '/'. */
function managerOf(
  r: ResourceRequest,
  query: URLSearchParams,
  def: ResourceDef,
  operation: Owner['operation'],
): Owner {
  const manager = query.get('fieldManager') || (r.userAgent ?? '').split('/')[0] || 'unknown';
  return { manager, operation, apiVersion: groupVersion(def) };
}

const json = (code: number, body: string, headers?: Record<string, string>): Reply =>
  headers ? { code, body, headers } : { code, body };

function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

function asObject(v: unknown, def: ResourceDef): KubeObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(v)?.slice(0, 100) ?? ''}'`);
  }
  const o = v as KubeObject;
  if (o.metadata === undefined || o.metadata === null) (o as { metadata: unknown }).metadata = {};
  if (typeof o.metadata !== 'object' || Array.isArray(o.metadata)) {
    throw badRequest(
      `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: metadata must be an object`,
    );
  }
  return o;
}

function checkTypeMeta(def: ResourceDef, o: KubeObject): void {
  const gv = groupVersion(def);
  if (o.apiVersion !== undefined && o.apiVersion !== gv) {
    throw badRequest(
      `the API version in the data (${o.apiVersion}) does not match the expected API version (${gv})`,
    );
  }
  if (o.kind !== undefined && o.kind !== def.kind) {
    throw badRequest(
      `${o.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the kind in the data does not match`,
    );
  }
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
function generateSuffix(): string {
  const bytes = randomBytes(5);
  let s = '';
  for (const b of bytes) s += GENERATE_ALPHABET[b % GENERATE_ALPHABET.length];
  return s;
}

/** Deep equality of two JSON values (no-op write detection). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function withoutStatus(o: KubeObject): KubeObject {
  const { status: _s, ...rest } = o;
  return rest as KubeObject;
}

function specOf(o: KubeObject): unknown {
  const { metadata: _m, status: _s, kind: _k, apiVersion: _a, ...rest } = o;
  return rest;
}

export class Api {
  constructor(private readonly ctx: ApiContext) {}

  private get store(): Store {
    return this.ctx.store;
  }

  private now(): Date {
    return this.store.now();
  }

  private requireExisting(def: ResourceDef, ns: string, name: string): KubeObject {
    const o = this.store.find(def, ns, name);
    if (!o) {
      if (def.readOnly) throw notFoundNamed(def.kind.toLowerCase(), def.group, name);
      throw notFound(def, name);
    }
    return o;
  }

  private nsDef(): ResourceDef {
    return this.store.registry.byPath('', 'v1', 'namespaces') as ResourceDef;
  }

  // ---------- read ----------

  get(r: ResourceRequest, query: URLSearchParams): Reply {
    const { def } = r;
    const obj = this.requireExisting(def, r.namespace, r.name);
    if (r.subresource === 'scale') return json(200, JSON.stringify(this.scaleOf(def, obj)));
    if (r.subresource === 'log') return this.log(obj, query);
    if (r.subresource === 'eviction') throw methodNotAllowed('get', def);
    return json(200, this.store.objectJson(def, obj));
  }

  list(r: ResourceRequest, query: URLSearchParams): Reply {
    const { def } = r;
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'), def);
    const rvParam = query.get('resourceVersion');
    const cont = query.get('continue') || null;
    validateListOptions(rvParam, query.get('resourceVersionMatch'), cont);
    if (query.get('resourceVersionMatch') === 'Exact' && Number(rvParam) < this.store.compactedRv) {
      throw expired(LIST_TOO_OLD);
    }
    const limitRaw = query.get('limit');
    let limit = Number.POSITIVE_INFINITY;
    if (limitRaw !== null && limitRaw !== '') {
      const n = Number(limitRaw);
      if (!Number.isInteger(n) || n < 0)
        throw badRequest(`limit: Invalid value: "${limitRaw}": must be a non-negative integer`);
      if (n > 0) limit = n;
    }
    let listRv = this.store.rv;
    let after: string | undefined;
    if (cont) {
      const token = decodeContinue(cont);
      if (token.rv !== -1 && token.rv < this.store.compactedRv) {
        throw expired(CONTINUE_TOO_OLD, encodeContinue(-1, token.start));
      }
      if (token.rv !== -1) listRv = token.rv;
      after = token.start;
    }
    const namespace = def.namespaced && r.namespace ? r.namespace : undefined;
    const filter = (o: KubeObject): boolean =>
      matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);
    const page = this.store.page(def, namespace, after, limit, filter);
    const meta: string[] = [`"resourceVersion":"${listRv}"`];
    if (page.nextStart !== undefined) {
      meta.push(`"continue":"${encodeContinue(listRv, page.nextStart)}"`);
      if (labels.length === 0 && fields.length === 0) meta.push(`"remainingItemCount":${page.remaining}`);
    }
    const items = page.items.map((o) => this.store.itemJson(def, o)).join(',');
    const body = `{"kind":${JSON.stringify(def.listKind)},"apiVersion":${JSON.stringify(groupVersion(def))},"metadata":{${meta.join(',')}},"items":[${items}]}`;
    return json(200, body);
  }

  private log(pod: KubeObject, query: URLSearchParams): Reply {
    const spec = pod['spec'] as { containers?: Array<{ name: string }> } | undefined;
    const names = (spec?.containers ?? []).map((c) => c.name);
    const podName = pod.metadata.name;
    let container = query.get('container') ?? '';
    if (!container) {
      if (names.length !== 1) {
        throw badRequest(
          `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`,
        );
      }
      container = names[0] as string;
    } else if (!names.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${podName}`);
    }
    const previous = query.get('previous') === 'true';
    const ns = pod.metadata.namespace ?? '';
    let text = this.ctx.logs.get(ns, podName, container, previous);
    if (text === undefined) {
      if (previous)
        throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
      text = '';
    }
    const tail = query.get('tailLines');
    if (tail !== null && /^\d+$/.test(tail)) {
      const lines = text.split('\n');
      const trailing = lines[lines.length - 1] === '' ? lines.pop() : undefined;
      text = lines.slice(Math.max(0, lines.length - Number(tail))).join('\n') + (trailing === '' ? '\n' : '');
    }
    const limitBytes = query.get('limitBytes');
    if (limitBytes !== null && /^\d+$/.test(limitBytes))
      text = Buffer.from(text).subarray(0, Number(limitBytes)).toString();
    return { code: 200, body: text, contentType: 'text/plain' };
  }

  // ---------- create ----------

  create(r: ResourceRequest, query: URLSearchParams, body: Buffer): Reply {
    const { def } = r;
    if (r.subresource === 'eviction') return this.evict(r, query, body);
    if (r.name || r.subresource) throw methodNotAllowed('create', def);
    if (def.readOnly) throw methodNotAllowed('create', def);
    const dryRun = parseDryRun(query.getAll('dryRun'), 'CreateOptions');
    const obj = asObject(parseJsonBody(body), def);
    checkTypeMeta(def, obj);
    const meta = obj.metadata as KubeObject['metadata'] & { generateName?: string };
    if (def.namespaced) {
      if (!r.namespace) throw methodNotAllowed('create', def);
      if (meta.namespace && meta.namespace !== r.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = r.namespace;
    } else delete meta.namespace;
    if (!meta.name) {
      if (meta.generateName) meta.name = `${meta.generateName}${generateSuffix()}`;
      else {
        throw invalid(def.kind, def.group, '', [
          {
            reason: 'FieldValueRequired',
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
          },
        ]);
      }
    }
    validateObject(def, obj);
    if (def.namespaced) this.checkNamespaceWritable(def, r.namespace, meta.name);
    if (this.store.find(def, r.namespace, meta.name)) throw alreadyExists(def, meta.name);
    delete meta.deletionTimestamp;
    let prepared = prepareCreate(def, obj, this.now());
    if (def.plural === 'namespaces' && def.group === '') prepared = this.defaultNamespace(prepared);
    if (def.plural === 'customresourcedefinitions') prepared = this.establishCrd(prepared);
    if (dryRun) {
      // Everything ran, nothing is stored: no resourceVersion, no event, the counter stays.
      return json(201, this.typed(def, prepared));
    }
    const stored = this.store.commitCreate(def, prepared);
    this.ctx.owners.recordUpdate(
      stored.metadata.uid as string,
      undefined,
      stored,
      managerOf(r, query, def, 'Update'),
      false,
    );
    return json(201, this.store.objectJson(def, stored));
  }

  /** Serialises an object that is not (or not yet) stored, TypeMeta first. */
  private typed(def: ResourceDef, o: KubeObject): string {
    const { kind: _k, apiVersion: _a, ...rest } = o;
    return JSON.stringify({ kind: def.kind, apiVersion: groupVersion(def), ...rest });
  }

  private checkNamespaceWritable(def: ResourceDef, ns: string, name: string): void {
    const nsObj = this.store.find(this.nsDef(), undefined, ns);
    if (!nsObj) throw notFound(this.nsDef(), ns);
    if (nsObj.metadata.deletionTimestamp) {
      throw forbidden(
        def,
        name,
        `unable to create new content in namespace ${ns} because it is being terminated`,
        [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${ns} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      );
    }
  }

  private defaultNamespace(o: KubeObject): KubeObject {
    const labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
    const spec = (o['spec'] as Record<string, unknown> | undefined) ?? {};
    return {
      ...o,
      metadata: { ...o.metadata, labels },
      spec: { finalizers: ['kubernetes'], ...spec },
      status: { phase: 'Active' },
    };
  }

  private establishCrd(o: KubeObject): KubeObject {
    const spec = o['spec'] as { names?: unknown } | undefined;
    const t = formatTime(this.now());
    return {
      ...o,
      status: {
        acceptedNames: spec?.names ?? {},
        conditions: [
          {
            type: 'NamesAccepted',
            status: 'True',
            lastTransitionTime: t,
            reason: 'NoConflicts',
            message: 'no conflicts found',
          },
          {
            type: 'Established',
            status: 'True',
            lastTransitionTime: t,
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
          },
        ],
        storedVersions: [
          ((o['spec'] as { versions?: Array<{ name: string; storage?: boolean }> }).versions ?? []).find(
            (v) => v.storage,
          )?.name ?? 'v1',
        ],
      },
    };
  }

  // ---------- update / patch ----------

  update(r: ResourceRequest, query: URLSearchParams, body: Buffer): Reply {
    const { def } = r;
    if (def.readOnly || !r.name || r.subresource === 'log' || r.subresource === 'eviction')
      throw methodNotAllowed('update', def);
    const dryRun = parseDryRun(query.getAll('dryRun'), 'UpdateOptions');
    const incoming = asObject(parseJsonBody(body), def);
    if (r.subresource === 'scale')
      return this.writeScale(r, incoming, dryRun, managerOf(r, query, def, 'Update'));
    checkTypeMeta(def, incoming);
    if (incoming.metadata.name && incoming.metadata.name !== r.name) {
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${r.name})`,
      );
    }
    incoming.metadata.name = r.name;
    if (def.namespaced) {
      if (incoming.metadata.namespace && incoming.metadata.namespace !== r.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      incoming.metadata.namespace = r.namespace;
    }
    const existing = this.store.find(def, r.namespace, r.name);
    if (!existing) {
      if (def.createOnUpdate && !r.subresource) {
        validateObject(def, incoming);
        if (def.namespaced) this.checkNamespaceWritable(def, r.namespace, r.name);
        const prepared = prepareCreate(def, incoming, this.now());
        if (dryRun) return json(201, this.typed(def, prepared));
        return json(201, this.store.objectJson(def, this.store.commitCreate(def, prepared)));
      }
      throw notFound(def, r.name);
    }
    if (
      incoming.metadata.resourceVersion &&
      incoming.metadata.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw conflict(def, r.name);
    }
    if (incoming.metadata.uid && incoming.metadata.uid !== existing.metadata.uid) {
      throw conflict(
        def,
        r.name,
        `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`,
      );
    }
    return this.commitWrite(def, existing, incoming, r.subresource === 'status', dryRun, {
      owner: managerOf(r, query, def, 'Update'),
    });
  }

  patch(r: ResourceRequest, query: URLSearchParams, body: Buffer, contentType: string | undefined): Reply {
    const { def } = r;
    if (def.readOnly || !r.name || r.subresource === 'log' || r.subresource === 'eviction')
      throw methodNotAllowed('patch', def);
    const kind = patchKindOf(contentType);
    const accepted = def.custom
      ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply]
      : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];
    if (!kind || !accepted.includes(PATCH_TYPES[kind])) throw unsupportedMediaType(accepted);
    const dryRun = parseDryRun(query.getAll('dryRun'), 'PatchOptions');
    const fieldManager = query.get('fieldManager');
    const force = query.get('force');
    if (kind === 'apply' && !fieldManager) {
      throw invalidOptions('PatchOptions', [
        {
          reason: 'FieldValueRequired',
          field: 'fieldManager',
          message: 'Required value: is required for apply patch',
        },
      ]);
    }
    if (kind !== 'apply' && force !== null) {
      throw invalidOptions('PatchOptions', [
        {
          reason: 'FieldValueForbidden',
          field: 'force',
          message: 'Forbidden: may not be specified for non-apply patch',
        },
      ]);
    }
    let patch: unknown;
    if (kind === 'apply') {
      try {
        patch = parseYaml(body.toString('utf8')) as unknown;
      } catch (e) {
        throw badRequest(`error decoding YAML: ${(e as Error).message}`);
      }
    } else patch = parseJsonBody(body);

    const existing = this.store.find(def, r.namespace, r.name);
    if (!existing) {
      if (kind !== 'apply' || r.subresource) throw notFound(def, r.name);
      // Server-side apply creates.
      const obj = asObject(structuredClone(patch), def);
      checkTypeMeta(def, obj);
      obj.metadata.name = r.name;
      if (def.namespaced) obj.metadata.namespace = r.namespace;
      validateObject(def, obj);
      if (def.namespaced) this.checkNamespaceWritable(def, r.namespace, r.name);
      const prepared = prepareCreate(def, obj, this.now());
      if (dryRun) return json(201, this.typed(def, prepared));
      const stored = this.store.commitCreate(def, prepared);
      this.ctx.owners.recordApply(
        stored.metadata.uid as string,
        stored,
        obj,
        managerOf(r, query, def, 'Apply'),
      );
      return json(201, this.store.objectJson(def, stored));
    }

    if (r.subresource === 'scale') {
      const scale = this.scaleOf(def, existing);
      const patched = this.applyPatch(kind, scale, patch, false);
      return this.writeScale(r, asObject(patched, def), dryRun, managerOf(r, query, def, 'Update'));
    }
    const current = structuredClone(existing);
    const owner = managerOf(r, query, def, kind === 'apply' ? 'Apply' : 'Update');
    let dropped: ReturnType<FieldOwners['checkApply']> = [];
    if (kind === 'apply' && !r.subresource) {
      const applied = asObject(structuredClone(patch), def);
      dropped = this.ctx.owners.checkApply(existing.metadata.uid, existing, applied, owner, force === 'true');
    }
    const patched = asObject(this.applyPatch(kind, current, patch, def.custom), def);
    FieldOwners.prune(patched, dropped);
    if (
      patched.metadata.resourceVersion &&
      patched.metadata.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw conflict(def, r.name);
    }
    if (patched.metadata.name !== r.name) {
      throw badRequest(
        `the name of the object (${patched.metadata.name}) does not match the name on the URL (${r.name})`,
      );
    }
    if (kind === 'apply') checkTypeMeta(def, patched);
    const ownership: Ownership =
      kind === 'apply' ? { owner, applied: asObject(structuredClone(patch), def) } : { owner };
    return this.commitWrite(def, existing, patched, r.subresource === 'status', dryRun, ownership);
  }

  private applyPatch(kind: keyof typeof PATCH_TYPES, doc: unknown, patch: unknown, custom: boolean): unknown {
    switch (kind) {
      case 'json':
        return applyJsonPatch(doc, patch);
      case 'merge':
        if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
          throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
        }
        return applyMergePatch(doc, patch);
      case 'strategic':
        if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
          throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
        }
        return strategicMerge(doc, patch);
      case 'apply':
        if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
          throw badRequest('error decoding YAML: the applied configuration must be an object');
        }
        return applyConfiguration(doc, patch, custom);
    }
  }

  /**
   * The common tail of update and patch: status/main isolation, immutable server fields, generation,
   * finalizer-driven deletion, no-op detection, dry-run, commit.
   */
  private commitWrite(
    def: ResourceDef,
    existing: KubeObject,
    incoming: KubeObject,
    statusOnly: boolean,
    dryRun: boolean,
    ownership?: Ownership,
  ): Reply {
    let next: KubeObject;
    if (statusOnly) {
      next = { ...structuredClone(existing) };
      if ('status' in incoming) next['status'] = incoming['status'];
      else delete next['status'];
    } else {
      next = def.hasStatus ? withoutStatus(incoming) : incoming;
      if (def.hasStatus && 'status' in existing) next['status'] = structuredClone(existing['status']);
      validateObject(def, { ...next, metadata: { ...next.metadata, name: existing.metadata.name } });
    }
    // Server-owned metadata is kept.
    const meta = { ...next.metadata };
    meta.uid = existing.metadata.uid as string;
    meta.creationTimestamp = existing.metadata.creationTimestamp as string;
    meta.name = existing.metadata.name;
    if (existing.metadata.namespace) meta.namespace = existing.metadata.namespace;
    if (existing.metadata.deletionTimestamp) meta.deletionTimestamp = existing.metadata.deletionTimestamp;
    else delete meta.deletionTimestamp;
    const dgps = (existing.metadata as unknown as Record<string, unknown>)['deletionGracePeriodSeconds'];
    if (dgps !== undefined) (meta as unknown as Record<string, unknown>)['deletionGracePeriodSeconds'] = dgps;
    if (statusOnly) {
      meta.generation = existing.metadata.generation as number;
    } else if (def.hasGeneration) {
      const gen = existing.metadata.generation ?? 1;
      meta.generation = same(specOf(existing), specOf({ ...next, metadata: meta })) ? gen : gen + 1;
    } else delete meta.generation;
    meta.resourceVersion = existing.metadata.resourceVersion as string;
    if (existing.metadata.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f) => !(existing.metadata.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw invalid(def.kind, def.group, existing.metadata.name, [
          {
            reason: 'FieldValueForbidden',
            field: 'metadata.finalizers',
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
          },
        ]);
      }
    }
    next = { ...next, metadata: meta };
    if (
      same(
        { ...next, kind: undefined, apiVersion: undefined },
        { ...existing, kind: undefined, apiVersion: undefined },
      )
    ) {
      // The real server skips no-op writes: same resourceVersion, no event.
      return json(200, this.store.objectJson(def, existing));
    }
    if (dryRun) return json(200, this.typed(def, next));
    // A terminating object whose last finalizer is removed goes away.
    if (existing.metadata.deletionTimestamp && (meta.finalizers ?? []).length === 0) {
      const stored = this.store.commitUpdate(def, next, existing);
      const gone = this.store.commitDelete(def, stored);
      this.afterDelete(def, gone, 'Background');
      return json(200, this.store.objectJson(def, gone));
    }
    const stored = this.store.commitUpdate(def, next, existing);
    if (ownership && !statusOnly) {
      const uid = stored.metadata.uid as string;
      if (ownership.applied) this.ctx.owners.recordApply(uid, stored, ownership.applied, ownership.owner);
      else this.ctx.owners.recordUpdate(uid, existing, stored, ownership.owner, false);
    }
    return json(200, this.store.objectJson(def, stored));
  }

  // ---------- scale ----------

  private scaleOf(def: ResourceDef, obj: KubeObject): Record<string, unknown> {
    const spec = (obj['spec'] as { replicas?: number; selector?: LabelSelectorObject } | undefined) ?? {};
    const status = (obj['status'] as { replicas?: number } | undefined) ?? {};
    const m = obj.metadata;
    const metadata: Record<string, unknown> = { name: m.name };
    if (m.namespace) metadata['namespace'] = m.namespace;
    metadata['uid'] = m.uid;
    metadata['resourceVersion'] = m.resourceVersion;
    metadata['creationTimestamp'] = m.creationTimestamp;
    const scaleStatus: Record<string, unknown> = { replicas: status.replicas ?? 0 };
    const sel = selectorToString(selectorFromObject(spec.selector));
    if (sel) scaleStatus['selector'] = sel;
    void def;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata,
      spec: { replicas: spec.replicas ?? 1 },
      status: scaleStatus,
    };
  }

  private writeScale(r: ResourceRequest, scale: KubeObject, dryRun: boolean, owner: Owner): Reply {
    const { def } = r;
    const existing = this.requireExisting(def, r.namespace, r.name);
    const replicas = (scale['spec'] as { replicas?: unknown } | undefined)?.replicas;
    if (
      scale.metadata.resourceVersion &&
      scale.metadata.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw conflict(def, r.name);
    }
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', 'autoscaling', r.name, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const spec = { ...((existing['spec'] as Record<string, unknown> | undefined) ?? {}), replicas };
    const next: KubeObject = { ...structuredClone(existing), spec };
    const reply = this.commitWrite(def, existing, next, false, dryRun, {
      owner: { ...owner, subresource: 'scale' },
    });
    const written = JSON.parse(String(reply.body)) as KubeObject;
    return json(200, JSON.stringify(this.scaleOf(def, written)));
  }

  // ---------- delete ----------

  delete(r: ResourceRequest, query: URLSearchParams, body: Buffer): Reply {
    const { def } = r;
    if (def.readOnly || r.subresource) throw methodNotAllowed('delete', def);
    const opts = this.deleteOptions(query, body);
    if (!r.name) return this.deleteCollection(r, query, opts);
    const existing = this.requireExisting(def, r.namespace, r.name);
    return this.deleteOne(def, existing, opts);
  }

  private deleteOptions(query: URLSearchParams, body: Buffer): DeleteOpts {
    let b: Record<string, unknown> = {};
    if (body.length > 0) {
      const parsed = parseJsonBody(body);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        b = parsed as Record<string, unknown>;
    }
    const dryRunValues = query.getAll('dryRun');
    if (Array.isArray(b['dryRun'])) dryRunValues.push(...(b['dryRun'] as unknown[]).map(String));
    const dryRun = parseDryRun(dryRunValues, 'DeleteOptions');
    const pre = (b['preconditions'] as { uid?: string; resourceVersion?: string } | undefined) ?? {};
    let policy =
      (query.get('propagationPolicy') ?? (b['propagationPolicy'] as string | undefined)) || undefined;
    const orphan = query.get('orphanDependents') ?? (b['orphanDependents'] as boolean | undefined);
    if (policy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(policy)) {
      throw invalidOptions('DeleteOptions', [
        {
          reason: 'FieldValueNotSupported',
          field: 'propagationPolicy',
          message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
        },
      ]);
    }
    if (policy === undefined && (orphan === true || orphan === 'true')) policy = 'Orphan';
    const opts: DeleteOpts = { dryRun };
    if (policy) opts.policy = policy as Propagation;
    if (pre.uid) opts.uid = pre.uid;
    if (pre.resourceVersion) opts.resourceVersion = pre.resourceVersion;
    const grace = query.get('gracePeriodSeconds') ?? b['gracePeriodSeconds'];
    if (grace !== undefined && grace !== null && Number.isInteger(Number(grace)) && Number(grace) >= 0)
      opts.gracePeriodSeconds = Number(grace);
    return opts;
  }

  private deleteOne(def: ResourceDef, existing: KubeObject, opts: DeleteOpts): Reply {
    const name = existing.metadata.name;
    if (opts.uid && opts.uid !== existing.metadata.uid) {
      throw conflict(
        def,
        name,
        `Precondition failed: UID in precondition: ${opts.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`,
      );
    }
    if (opts.resourceVersion && opts.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(
        def,
        name,
        `Precondition failed: ResourceVersion in precondition: ${opts.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`,
      );
    }
    const policy: Propagation =
      opts.policy ?? (def.group === 'batch' && def.plural === 'jobs' ? 'Orphan' : 'Background');
    if (existing.metadata.deletionTimestamp) {
      // A terminating pod no finalizer holds goes at once on a DELETE with grace period 0 (the real
      // server's BeforeDelete shortens the grace period; `kubectl delete --force --grace-period=0`).
      const forced =
        opts.gracePeriodSeconds === 0 &&
        def.group === '' &&
        def.plural === 'pods' &&
        !(existing.metadata.finalizers ?? []).length;
      if (!forced) {
        // Already terminating: a second DELETE just returns the object.
        return json(200, this.store.objectJson(def, existing));
      }
      if (opts.dryRun) return this.deletedReply(def, existing);
      const gone = this.store.commitDelete(def, existing);
      this.afterDelete(def, gone, policy);
      return this.deletedReply(def, gone);
    }
    const isNamespace = def.plural === 'namespaces' && def.group === '';
    const finalizers = [...(existing.metadata.finalizers ?? [])];
    if (policy === 'Orphan' && opts.policy === 'Orphan' && this.hasDependents(existing))
      finalizers.push('orphan');
    if (policy === 'Foreground' && this.hasDependents(existing)) finalizers.push('foregroundDeletion');
    if (isNamespace || finalizers.length > 0) {
      const meta: Record<string, unknown> = {
        ...existing.metadata,
        deletionTimestamp: formatTime(this.now()),
        deletionGracePeriodSeconds: 0,
        finalizers: finalizers.length > 0 ? finalizers : undefined,
      };
      if (finalizers.length === 0) delete meta['finalizers'];
      const terminating: KubeObject = { ...existing, metadata: meta as unknown as KubeObject['metadata'] };
      if (isNamespace)
        terminating['status'] = { ...((existing['status'] as object) ?? {}), phase: 'Terminating' };
      if (opts.dryRun) return json(200, this.typed(def, terminating));
      const stored = this.store.commitUpdate(def, terminating, existing);
      if (finalizers.includes('orphan')) this.orphanDependents(stored, 'orphan', def);
      if (finalizers.includes('foregroundDeletion')) this.deleteDependents(stored, 'foregroundDeletion', def);
      if (isNamespace && this.ctx.namespaceController) {
        this.finalizeNamespace(stored);
      }
      const current = this.store.find(def, stored.metadata.namespace, name);
      return json(200, this.store.objectJson(def, current ?? stored));
    }
    if (opts.dryRun) return this.deletedReply(def, existing);
    const gone = this.store.commitDelete(def, existing);
    this.afterDelete(def, gone, policy);
    return this.deletedReply(def, gone);
  }

  private deletedReply(def: ResourceDef, gone: KubeObject): Reply {
    if (def.returnDeleted) return json(200, this.store.objectJson(def, gone));
    const details = {
      name: gone.metadata.name,
      group: def.group,
      kind: def.plural,
      uid: gone.metadata.uid ?? '',
    };
    return json(200, JSON.stringify(successStatus(details)));
  }

  private deleteCollection(r: ResourceRequest, query: URLSearchParams, opts: DeleteOpts): Reply {
    const { def } = r;
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'), def);
    const namespace = def.namespaced && r.namespace ? r.namespace : undefined;
    const victims = [...this.store.scan(def, namespace)].filter(
      (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o),
    );
    const items: string[] = [];
    for (const v of victims) {
      this.deleteOne(def, v, opts);
      // Terminating objects are listed as they are now; removed ones as they were.
      items.push(this.store.itemJson(def, this.store.find(def, v.metadata.namespace, v.metadata.name) ?? v));
    }
    return json(
      200,
      `{"kind":${JSON.stringify(def.listKind)},"apiVersion":${JSON.stringify(groupVersion(def))},"metadata":{"resourceVersion":"${this.store.rv}"},"items":[${items.join(',')}]}`,
    );
  }

  // ---------- garbage collection and namespace finalisation (the "controllers") ----------

  private dependentsOf(owner: KubeObject): Array<{ def: ResourceDef; obj: KubeObject }> {
    return owner.metadata.uid ? this.store.dependents(owner.metadata.uid) : [];
  }

  private hasDependents(owner: KubeObject): boolean {
    return this.ctx.garbageCollector && this.dependentsOf(owner).length > 0;
  }

  private afterDelete(def: ResourceDef, gone: KubeObject, policy: Propagation): void {
    if (!this.ctx.garbageCollector) return;
    if (policy === 'Orphan') this.orphanDependents(gone, undefined, def);
    else this.deleteDependents(gone, undefined, def);
  }

  private deleteDependents(owner: KubeObject, finalizer: string | undefined, ownerDef: ResourceDef): void {
    for (const { def, obj } of this.dependentsOf(owner)) {
      const current = this.store.find(def, obj.metadata.namespace, obj.metadata.name);
      if (current) this.deleteOne(def, current, { dryRun: false, policy: 'Background' });
    }
    if (finalizer) this.dropFinalizer(ownerDef, owner, finalizer);
  }

  private orphanDependents(owner: KubeObject, finalizer: string | undefined, ownerDef: ResourceDef): void {
    for (const { def, obj } of this.dependentsOf(owner)) {
      const refs = (obj.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== owner.metadata.uid);
      const meta = { ...obj.metadata };
      if (refs.length > 0) meta.ownerReferences = refs;
      else delete meta.ownerReferences;
      this.store.commitUpdate(def, { ...obj, metadata: meta }, obj);
    }
    if (finalizer) this.dropFinalizer(ownerDef, owner, finalizer);
  }

  private dropFinalizer(def: ResourceDef, owner: KubeObject, finalizer: string): void {
    const current = this.store.find(def, owner.metadata.namespace, owner.metadata.name);
    if (!current) return;
    const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const meta = { ...current.metadata, finalizers };
    if (finalizers.length === 0) {
      delete (meta as Record<string, unknown>)['finalizers'];
      const stored = this.store.commitUpdate(def, { ...current, metadata: meta }, current);
      this.store.commitDelete(def, stored);
    } else this.store.commitUpdate(def, { ...current, metadata: meta }, current);
  }

  /** What the namespace controller does: delete the contents, then the namespace. */
  private finalizeNamespace(ns: KubeObject): void {
    const name = ns.metadata.name;
    for (const def of this.store.registry.all()) {
      if (!def.namespaced || def.readOnly) continue;
      for (const o of [...this.store.scan(def, name)]) {
        const current = this.store.find(def, name, o.metadata.name);
        if (!current) continue;
        if ((current.metadata.finalizers ?? []).length > 0) {
          // Objects with foreign finalizers keep the namespace Terminating, as in a real cluster.
          this.deleteOne(def, current, { dryRun: false, policy: 'Background' });
          continue;
        }
        this.store.commitDelete(def, current);
      }
    }
    // Remaining content (finalizers) blocks the namespace.
    for (const def of this.store.registry.all()) {
      if (def.namespaced && !def.readOnly && this.store.scan(def, name).next().done === false) return;
    }
    const nsDef = this.nsDef();
    const current = this.store.find(nsDef, undefined, name);
    if (!current) return;
    const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== 'kubernetes');
    if (finalizers.length > 0) return;
    this.store.commitDelete(nsDef, current);
    this.ctx.logs.dropNamespace(name);
  }

  // ---------- eviction ----------

  private evict(r: ResourceRequest, query: URLSearchParams, body: Buffer): Reply {
    const { def } = r;
    const pod = this.requireExisting(def, r.namespace, r.name);
    const eviction = parseJsonBody(body) as {
      metadata?: { name?: string };
      deleteOptions?: { dryRun?: string[] };
    } | null;
    if (eviction?.metadata?.name && eviction.metadata.name !== r.name) {
      throw badRequest(`name in URL does not match name in Eviction object`);
    }
    // The apiserver (eviction.go) lets the request's dryRun replace the Eviction's deleteOptions.dryRun.
    const fromQuery = query.getAll('dryRun');
    const dryRun = parseDryRun(
      fromQuery.length > 0 ? fromQuery : (eviction?.deleteOptions?.dryRun ?? []),
      'DeleteOptions',
    );
    const success = json(201, JSON.stringify(statusBody(201, '', '', undefined, {}, 'Success')));
    checkEviction(this.store, pod, r.namespace);
    if (dryRun) return success;
    const gone = this.store.commitDelete(def, pod);
    this.afterDelete(def, gone, 'Background');
    return success;
  }
}

type Propagation = 'Foreground' | 'Background' | 'Orphan';

interface DeleteOpts {
  dryRun: boolean;
  policy?: Propagation;
  /** Only honoured to force-delete a terminating pod (0). */
  gracePeriodSeconds?: number;
  uid?: string;
  resourceVersion?: string;
}
