// The small part of apiserver validation the emulator does: object names (RFC 1123), the request
// options (dryRun, list resourceVersionMatch), and a few field rules whose Status bodies the wire spec
// gives (Deployment spec.replicas). Everything else is accepted as sent (see LIMITATIONS.md).
import type { KubeObject } from '../../shared/k8s/types.ts';
import { invalid, invalidOptions } from './status-errors.ts';
import type { FieldError } from './status-errors.ts';
import type { ResourceDef } from './resources.ts';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

export function nameErrors(def: ResourceDef, name: string): FieldError[] {
  const field = 'metadata.name';
  if (def.nameRule === 'label') {
    if (name.length > 63)
      return [
        {
          reason: 'FieldValueInvalid',
          field,
          message: `Invalid value: "${name}": must be no more than 63 characters`,
        },
      ];
    if (!LABEL.test(name))
      return [{ reason: 'FieldValueInvalid', field, message: `Invalid value: "${name}": ${LABEL_MSG}` }];
  } else if (def.nameRule === 'subdomain') {
    if (name.length > 253)
      return [
        {
          reason: 'FieldValueInvalid',
          field,
          message: `Invalid value: "${name}": must be no more than 253 characters`,
        },
      ];
    if (!SUBDOMAIN.test(name))
      return [{ reason: 'FieldValueInvalid', field, message: `Invalid value: "${name}": ${SUBDOMAIN_MSG}` }];
  } else {
    if (name === '.' || name === '..')
      return [
        { reason: 'FieldValueInvalid', field, message: `Invalid value: "${name}": may not be '${name}'` },
      ];
    for (const bad of ['/', '%']) {
      if (name.includes(bad))
        return [
          {
            reason: 'FieldValueInvalid',
            field,
            message: `Invalid value: "${name}": may not contain '${bad}'`,
          },
        ];
    }
  }
  return [];
}

/** Kind-specific rules (only the ones a bot is likely to trip). */
export function objectErrors(def: ResourceDef, obj: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const spec = obj['spec'] as Record<string, unknown> | undefined;
  if (['deployments', 'replicasets', 'statefulsets'].includes(def.plural) && def.group === 'apps') {
    const r = spec?.['replicas'];
    if (typeof r === 'number' && r < 0) {
      errors.push({
        reason: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: `Invalid value: ${r}: must be greater than or equal to 0`,
      });
    }
  }
  const labels = obj.metadata.labels;
  if (labels !== undefined && (labels === null || typeof labels !== 'object')) {
    errors.push({
      reason: 'FieldValueTypeInvalid',
      field: 'metadata.labels',
      message: 'Invalid value: "labels": expected map',
    });
  }
  return errors;
}

export function validateObject(def: ResourceDef, obj: KubeObject): void {
  const errors = [...nameErrors(def, obj.metadata.name), ...objectErrors(def, obj)];
  if (errors.length > 0) throw invalid(def.kind, def.group, obj.metadata.name, errors);
}

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

/** `dryRun` must be absent or exactly `All` (apimachinery ValidateDryRun). Returns whether it is set. */
export function parseDryRun(values: string[], kind: OptionsKind): boolean {
  if (values.length === 0) return false;
  if (values.length === 1 && values[0] === 'All') return true;
  throw invalidOptions(kind, [
    {
      reason: 'FieldValueNotSupported',
      field: 'dryRun',
      message: `Unsupported value: ${JSON.stringify(values)}: supported values: "All"`,
    },
  ]);
}

/** ListOptions checks of resourceVersion / resourceVersionMatch / continue (422 like the real server). */
export function validateListOptions(rv: string | null, match: string | null, cont: string | null): void {
  if (!match) return;
  const forbid = (msg: string): never => {
    throw invalidOptions('ListOptions', [
      { reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: `Forbidden: ${msg}` },
    ]);
  };
  if (match !== 'Exact' && match !== 'NotOlderThan') {
    throw invalidOptions('ListOptions', [
      {
        reason: 'FieldValueNotSupported',
        field: 'resourceVersionMatch',
        message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""`,
      },
    ]);
  }
  if (!rv) forbid('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (cont) forbid('resourceVersionMatch is forbidden when continue is provided');
  if (match === 'Exact' && rv === '0')
    forbid('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
}
