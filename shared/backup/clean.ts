// Velero's cleaning rules, as pure functions on plain objects (deep copies; the input is not changed).
// - At backup: drop what only the source cluster means (uid, resourceVersion, managedFields, ...) and
//   status, so an archive holds desired state only.
// - At restore: Velero's resetMetadataAndStatus (pkg/restore/restore.go) plus its item actions for
//   Services (cluster IPs, node ports), PersistentVolumes (claimRef uid/resourceVersion, binding
//   annotations) and PersistentVolumeClaims (binding annotations).
import type { KubeObject } from '../k8s/types.ts';

/** Metadata that belongs to one cluster's copy of an object. */
const SOURCE_ONLY_METADATA = [
  'uid',
  'resourceVersion',
  'managedFields',
  'generation',
  'creationTimestamp',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

/** Velero resetMetadata: these keys go, everything else in metadata stays. */
const RESET_ON_RESTORE = [...SOURCE_ONLY_METADATA, 'generateName', 'ownerReferences'] as const;

/** Set by the PV controller when it binds; the restored pair must be bound again. */
const BINDING_ANNOTATIONS = [
  'pv.kubernetes.io/bind-completed',
  'pv.kubernetes.io/bound-by-controller',
] as const;

type Json = Record<string, unknown>;

function copy<T>(value: T): T {
  return structuredClone(value);
}

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function dropKeys(target: Json, keys: readonly string[]): void {
  for (const key of keys) delete target[key];
}

/** What goes into an archive: the object without status and without source-cluster metadata. */
export function cleanForBackup(obj: KubeObject): KubeObject {
  const out = copy(obj);
  delete out.status;
  dropKeys(out.metadata as unknown as Json, SOURCE_ONLY_METADATA);
  return out;
}

export interface RestoreCleaning {
  /** Velero `preserveNodePorts`: keep explicitly set node ports (default false). */
  preserveNodePorts?: boolean;
}

/** What is sent to the target cluster (before namespace mapping). Also the form restored objects are compared in. */
export function cleanForRestore(obj: KubeObject, options: RestoreCleaning = {}): KubeObject {
  const out = copy(obj);
  delete out.status;
  const metadata = out.metadata as unknown as Json;
  dropKeys(metadata, RESET_ON_RESTORE);
  const kind = out.kind ?? '';
  const group = (out.apiVersion ?? '').includes('/') ? (out.apiVersion ?? '').split('/')[0] : '';
  if (group !== '') return out;
  if (kind === 'Service') cleanService(out, options);
  if (kind === 'PersistentVolume') cleanVolume(out);
  if (kind === 'PersistentVolumeClaim') dropAnnotations(out, BINDING_ANNOTATIONS);
  return out;
}

function cleanService(service: KubeObject, options: RestoreCleaning): void {
  const spec = service.spec;
  if (!isRecord(spec)) return;
  // A headless Service keeps "None"; any real address belongs to the source cluster's range.
  if (spec.clusterIP !== 'None') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  if (!options.preserveNodePorts && Array.isArray(spec.ports)) {
    for (const port of spec.ports) if (isRecord(port)) delete port.nodePort;
  }
  if (!options.preserveNodePorts) delete spec.healthCheckNodePort;
}

function cleanVolume(volume: KubeObject): void {
  const spec = volume.spec;
  if (isRecord(spec) && isRecord(spec.claimRef)) {
    delete spec.claimRef.uid;
    delete spec.claimRef.resourceVersion;
  }
  dropAnnotations(volume, BINDING_ANNOTATIONS);
}

function dropAnnotations(obj: KubeObject, names: readonly string[]): void {
  const annotations = obj.metadata.annotations;
  if (annotations === undefined) return;
  for (const name of names) delete annotations[name];
  if (Object.keys(annotations).length === 0) delete obj.metadata.annotations;
}
