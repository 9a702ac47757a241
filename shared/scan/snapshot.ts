// A per-run view of the cluster for the read-only bots: each kind read once (paged), shared by every
// check of the run, and tolerant of an API group that is not installed (a `<bot>.api-missing`
// finding, not a crash) or a read that fails (a report error; the other kinds still count).
import type { Context, Finding, ReportError } from '../bot/types.ts';
import { isK8sApiError, isNotFound } from '../k8s/errors.ts';
import { apiVersionOf } from '../k8s/resources.ts';
import type { KubeObject, ResourceType } from '../k8s/types.ts';
import { finding } from '../report/finding.ts';
import { collect, reportErrorFrom, settle } from '../report/helpers.ts';

export type KindMap = Readonly<Record<string, ResourceType>>;

export interface Snapshot<K extends KindMap> {
  /** The objects of each kind; empty for a kind that is missing or could not be read. */
  readonly objects: { readonly [P in keyof K]: readonly KubeObject[] };
  /** Kinds whose API group/version the server does not serve. */
  readonly missing: ReadonlySet<keyof K>;
  /** Kinds that could not be read (forbidden, unavailable), with the error each gave. */
  readonly failed: ReadonlySet<keyof K>;
  readonly errors: readonly ReportError[];
  /** One `<bot>.api-missing` info finding per missing API group/version. */
  readonly findings: readonly Finding[];
  readonly takenAt: Date;
}

export interface SnapshotOptions<K extends KindMap> {
  /** Read namespaced kinds in this namespace only (cluster-scoped kinds are read whole). */
  namespace?: string;
  /** Kinds whose absence is normal (an optional CRD): missing gives no finding. */
  optional?: readonly (keyof K)[];
  /**
   * Kinds of which the checks read only `metadata` (counts, names, labels, owners, timestamps):
   * listed metadata-only (ListOptions.metadataOnly), a fraction of the bytes.
   */
  metadataOnly?: readonly (keyof K)[];
}

type SnapshotContext = Pick<Context, 'bot' | 'k8s' | 'now'>;

/** The finding's object for an API that is not installed: its CustomResourceDefinition. */
function apiObject(type: ResourceType): Finding['object'] {
  return type.group === '' || !type.group.includes('.')
    ? { apiVersion: 'v1', kind: 'APIResourceList', name: apiVersionOf(type) }
    : {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: `${type.plural}.${type.group}`,
      };
}

export function apiMissingFinding(bot: string, type: ResourceType): Finding {
  return finding({
    bot,
    check: `${bot}.api-missing`,
    severity: 'info',
    object: apiObject(type),
    message: `${type.kind} (${apiVersionOf(type)}) is not served by this cluster, so its checks did not run`,
    evidence: { group: type.group, version: type.version, resource: type.plural },
    fix: `Install the component that serves ${apiVersionOf(type)} ${type.plural}, or ignore this if the cluster does not use it`,
  });
}

/** Reads every kind side by side, each paged and read once. Never throws for a read failure. */
export async function takeSnapshot<K extends KindMap>(
  ctx: SnapshotContext,
  kinds: K,
  options: SnapshotOptions<K> = {},
): Promise<Snapshot<K>> {
  const keys = Object.keys(kinds) as (keyof K & string)[];
  const reads = await Promise.all(
    keys.map((key) => {
      const type = kinds[key] as ResourceType;
      const listOptions = {
        ...(type.namespaced && options.namespace !== undefined ? { namespace: options.namespace } : {}),
        ...(options.metadataOnly?.includes(key) === true ? { metadataOnly: true } : {}),
      };
      return settle(collect(ctx.k8s.list(type, listOptions)));
    }),
  );
  const objects: Record<string, readonly KubeObject[]> = {};
  const missing = new Set<keyof K>();
  const failed = new Set<keyof K>();
  const errors: ReportError[] = [];
  const findings: Finding[] = [];
  const reported = new Set<string>();
  keys.forEach((key, i) => {
    const read = reads[i];
    const type = kinds[key] as ResourceType;
    if (read === undefined) return;
    if (read.ok) {
      objects[key] = read.value;
      return;
    }
    objects[key] = [];
    // A list of a kind the server does not know answers 404 (no object name in the details).
    if (
      isNotFound(read.error) ||
      (isK8sApiError(read.error) && read.error.status === 503 && type.group.includes('.'))
    ) {
      missing.add(key);
      const api = apiVersionOf(type);
      if (!options.optional?.includes(key) && !reported.has(`${api}/${type.plural}`)) {
        reported.add(`${api}/${type.plural}`);
        findings.push(apiMissingFinding(ctx.bot, type));
      }
      return;
    }
    failed.add(key);
    errors.push(reportErrorFrom(read.error, `list ${type.plural}`));
  });
  return {
    objects: objects as Snapshot<K>['objects'],
    missing,
    failed,
    errors,
    findings,
    takenAt: ctx.now(),
  };
}
