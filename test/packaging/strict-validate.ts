// Validates generated Kubernetes/Knative objects with the official schemas shipped in
// kubernetes-models / @kubernetes-models/knative, and closes their gap: those schemas never set
// additionalProperties:false, so a misspelled field passes. Here every key is probed: it is replaced
// by values of impossible types; a key the schema knows makes validation fail at that path, an unknown
// key does not. (Maps such as labels are typed, so their keys count as known.)
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { Broker } from '@kubernetes-models/knative/eventing.knative.dev/v1/Broker';
import { Trigger } from '@kubernetes-models/knative/eventing.knative.dev/v1/Trigger';
import { PingSource } from '@kubernetes-models/knative/sources.knative.dev/v1/PingSource';
import { SinkBinding } from '@kubernetes-models/knative/sources.knative.dev/v1/SinkBinding';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Validatable {
  validate(): void;
}

type ModelClass = new (data: never) => Validatable;

const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace as unknown as ModelClass,
  'v1/ServiceAccount': ServiceAccount as unknown as ModelClass,
  'v1/ResourceQuota': ResourceQuota as unknown as ModelClass,
  'v1/LimitRange': LimitRange as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/Role': Role as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding as unknown as ModelClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelClass,
  'serving.knative.dev/v1/Service': KnativeService as unknown as ModelClass,
  'eventing.knative.dev/v1/Broker': Broker as unknown as ModelClass,
  'eventing.knative.dev/v1/Trigger': Trigger as unknown as ModelClass,
  'sources.knative.dev/v1/PingSource': PingSource as unknown as ModelClass,
  'sources.knative.dev/v1/SinkBinding': SinkBinding as unknown as ModelClass,
};

/** Values no typed schema accepts both of (a boolean field rejects 0.5, every other type rejects true). */
const PROBES: Json[] = [true, 0.5];

interface SchemaError {
  instancePath: string;
}

function schemaErrors(model: ModelClass, object: Json): SchemaError[] {
  try {
    new model(structuredClone(object) as never).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (Array.isArray(errors)) return errors;
    throw error;
  }
}

function pointer(path: readonly (string | number)[]): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function setAt(root: Json, path: readonly (string | number)[], value: Json): Json {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, Json>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

function isRecord(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Maps whose keys are free in the upstream CRDs (additionalProperties: string) but untyped in the
 * npm models, so the probe cannot see them: their values must be strings.
 */
const STRING_MAPS: readonly RegExp[] = [
  /^\/spec\/filter\/attributes$/,
  /^\/spec\/subject\/selector\/matchLabels$/,
];

/** Keys the schema does not know, as JSON pointers. */
function unknownFields(model: ModelClass, root: Json): string[] {
  const unknown: string[] = [];
  const walk = (value: Json, path: (string | number)[]): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, [...path, index]));
      return;
    }
    if (!isRecord(value)) return;
    if (STRING_MAPS.some((pattern) => pattern.test(pointer(path)))) {
      for (const [key, child] of Object.entries(value)) {
        if (typeof child !== 'string')
          unknown.push(`${pointer([...path, key])} (map values must be strings)`);
      }
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, key];
      const at = pointer(childPath);
      const known = PROBES.some((probe) =>
        schemaErrors(model, setAt(root, childPath, probe)).some(
          (error) => error.instancePath === at || error.instancePath.startsWith(`${at}/`),
        ),
      );
      if (known) walk(child, childPath);
      else unknown.push(at);
    }
  };
  walk(root, []);
  return unknown;
}

export interface ValidationProblem {
  object: string;
  problem: string;
}

/** Schema errors and unknown fields of one object; an apiVersion/kind without a model is a problem too. */
export function validateObject(object: unknown): ValidationProblem[] {
  const json = object as Json;
  if (!isRecord(json)) return [{ object: '?', problem: 'not an object' }];
  const apiVersion = String(json['apiVersion']);
  const kind = String(json['kind']);
  const metadata = json['metadata'];
  const name = `${apiVersion}/${kind} ${metadata !== undefined && isRecord(metadata) ? String(metadata['name']) : '?'}`;
  const model = MODELS[`${apiVersion}/${kind}`];
  if (model === undefined) return [{ object: name, problem: `no schema for ${apiVersion} ${kind}` }];
  const problems = schemaErrors(model, json).map((error) => ({
    object: name,
    problem: `schema error at ${error.instancePath || '/'}: ${JSON.stringify(error)}`,
  }));
  for (const field of unknownFields(model, json))
    problems.push({ object: name, problem: `unknown field ${field}` });
  return problems;
}

export const KNOWN_KINDS = Object.keys(MODELS);
