// Kubernetes YAML (multi-document) against the 1.35 API: removed and deprecated apiVersions (the
// deprecation guide's table, kube-score stable-version, Kyverno check-deprecated-apis), fields the API
// does not know (strict field validation) and fields it requires. Lines point at the field.
import { LineCounter, isMap, isScalar, parseAllDocuments, type Document, type Node } from 'yaml';
import { deprecationOf } from '../../shared/index.ts';
import type { Problem } from './lint-types.ts';
import {
  CONTAINER_FIELDS,
  POD_SPEC_FIELDS,
  POD_TEMPLATE_FIELDS,
  REQUIRED,
  SPEC_FIELDS,
  TOP_LEVEL,
} from './schema-table.ts';

/** The Kubernetes minor the manifests are checked against. */
export const TARGET_MINOR = 35;

function lineOf(doc: Document, counter: LineCounter, path: readonly (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
    const at = node?.range?.[0];
    if (at !== undefined) return counter.linePos(at).line;
  }
  return doc.contents?.range?.[0] !== undefined ? counter.linePos(doc.contents.range[0]).line : 1;
}

/** The line of a key in a mapping (for unknown fields the key is the place to point at). */
function keyLine(
  doc: Document,
  counter: LineCounter,
  path: readonly (string | number)[],
  key: string,
): number {
  const parent = doc.getIn(path, true);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key);
    const at = (pair?.key as Node | undefined)?.range?.[0];
    if (at !== undefined) return counter.linePos(at).line;
  }
  return lineOf(doc, counter, [...path, key]);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function lintKubernetes(content: string): Problem[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(content, { lineCounter: counter, prettyErrors: false });
  const problems: Problem[] = [];
  if (!Array.isArray(docs)) return problems;
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      problems.push({
        check: 'iac.parse-error',
        severity: 'critical',
        line: e?.pos?.[0] !== undefined ? counter.linePos(e.pos[0]).line : lineOf(doc, counter, []),
        message: `The YAML does not parse: ${e?.message.split('\n')[0] ?? 'syntax error'}.`,
        fix: 'Fix the YAML syntax (indentation, quoting) and lint again.',
      });
      continue;
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (!isObj(value)) continue;
    const apiVersion = typeof value['apiVersion'] === 'string' ? value['apiVersion'] : undefined;
    const kind = typeof value['kind'] === 'string' ? value['kind'] : undefined;
    // YAML that is neither (a CI workflow, a values file) is not a Kubernetes object: not ours to judge.
    if (!apiVersion && !kind) continue;
    if (!apiVersion || !kind) {
      problems.push({
        check: 'iac.missing-field',
        severity: 'warning',
        line: lineOf(doc, counter, []),
        message: `A document has no ${!apiVersion ? 'apiVersion' : 'kind'}, so it is not a Kubernetes object.`,
        fix: 'Add apiVersion and kind, or move non-Kubernetes YAML out of the manifests.',
      });
      continue;
    }
    if (kind.endsWith('List') && Array.isArray(value['items'])) continue;
    const name = isObj(value['metadata'])
      ? String(value['metadata']['name'] ?? value['metadata']['generateName'] ?? '')
      : '';
    const what = `${kind}${name ? ` ${name}` : ''}`;
    const d = deprecationOf(apiVersion, kind);
    if (d) {
      const removed = d.removed && Number(d.removedIn.split('.')[1]) <= TARGET_MINOR;
      problems.push({
        check: removed ? 'iac.removed-api' : 'iac.deprecated-api',
        severity: removed ? 'critical' : 'warning',
        line: lineOf(doc, counter, ['apiVersion']),
        message: removed
          ? `${what} uses ${apiVersion}, removed in Kubernetes ${d.removedIn}: the API server rejects it.`
          : `${what} uses ${apiVersion}, deprecated (${d.removedIn}).`,
        fix: `Use ${d.replacement}.`,
        evidence: { apiVersion, kind, removedIn: d.removedIn, replacement: d.replacement },
      });
    }
    if (!name)
      problems.push({
        check: 'iac.missing-field',
        severity: 'warning',
        line: lineOf(doc, counter, ['metadata']),
        message: `${kind} has no metadata.name (or generateName).`,
        fix: 'Give the object a name.',
        evidence: { field: 'metadata.name' },
      });
    const unknown = (path: (string | number)[], obj: unknown, allowed: readonly string[]): void => {
      if (!isObj(obj)) return;
      for (const key of Object.keys(obj))
        if (!allowed.includes(key))
          problems.push({
            check: 'iac.unknown-field',
            severity: 'warning',
            line: keyLine(doc, counter, path, key),
            message: `${what}: field ${[...path, key].join('.')} is not part of ${apiVersion} ${kind}; the API server drops or rejects it.`,
            fix:
              'Check the spelling and the indentation (kubectl explain ' +
              `${kind.toLowerCase()}.${[...path, key].filter((p) => typeof p === 'string').join('.')}).`,
            evidence: { field: [...path, key].join('.'), kind, apiVersion },
          });
    };
    const top = TOP_LEVEL[kind];
    // Field checks only on the current API versions: an old version is reported above already.
    if (top && !d) {
      unknown([], value, top);
      const spec = value['spec'];
      const specFields = SPEC_FIELDS[kind];
      if (specFields) unknown(['spec'], spec, specFields);
      const podPaths: (string | number)[][] =
        kind === 'Pod'
          ? [['spec']]
          : kind === 'CronJob'
            ? [['spec', 'jobTemplate', 'spec', 'template', 'spec']]
            : ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(kind)
              ? [['spec', 'template', 'spec']]
              : [];
      for (const podPath of podPaths) {
        const pod = getPath(value, podPath);
        // The pod template (metadata, spec); CronJob's jobTemplate is checked at its pod spec only.
        if (kind !== 'Pod' && kind !== 'CronJob')
          unknown(podPath.slice(0, -1), getPath(value, podPath.slice(0, -1)), POD_TEMPLATE_FIELDS);
        if (!isObj(pod)) continue;
        unknown(podPath, pod, POD_SPEC_FIELDS);
        for (const list of ['containers', 'initContainers'] as const) {
          const containers = Array.isArray(pod[list]) ? (pod[list] as unknown[]) : [];
          containers.forEach((c, i) => {
            unknown([...podPath, list, i], c, CONTAINER_FIELDS);
            if (isObj(c) && !c['image'])
              problems.push({
                check: 'iac.missing-field',
                severity: 'warning',
                line: lineOf(doc, counter, [...podPath, list, i]),
                message: `${what}: container ${String(c['name'] ?? i)} has no image.`,
                fix: 'Set the image (a pinned tag or digest).',
                evidence: { field: [...podPath, list, i, 'image'].join('.') },
              });
          });
        }
      }
      for (const path of REQUIRED[kind] ?? [])
        if (getPath(value, path) === undefined)
          problems.push({
            check: 'iac.missing-field',
            severity: 'critical',
            // The line of the nearest key that exists (e.g. `spec:` for a missing spec.selector).
            line:
              path.length >= 2
                ? keyLine(doc, counter, path.slice(0, -2), String(path[path.length - 2]))
                : lineOf(doc, counter, []),
            message: `${what} lacks the required field ${path.join('.')}: the API server rejects it.`,
            fix: `Add ${path.join('.')} (kubectl explain ${kind.toLowerCase()}.${path.join('.')}).`,
            evidence: { field: path.join('.') },
          });
    }
  }
  return problems;
}

function getPath(value: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}
