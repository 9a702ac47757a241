// Building label and field selectors from values, so a name with a comma or a space cannot turn
// into a different (wider) selector.

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export type LabelRequirement =
  | { key: string; operator: 'in' | 'notin'; values: readonly string[] }
  | { key: string; operator: 'exists' | '!exists' };

/** `app=web,tier!=db`-style selector; `{app: 'web'}` for equality, requirements for the set forms. */
export function labelSelector(
  equals: Readonly<Record<string, string>> = {},
  requirements: readonly LabelRequirement[] = [],
): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(equals)) {
    checkKey(key);
    checkValue(key, value);
    parts.push(`${key}=${value}`);
  }
  for (const r of requirements) {
    checkKey(r.key);
    if (r.operator === 'exists') parts.push(r.key);
    else if (r.operator === '!exists') parts.push(`!${r.key}`);
    else if ('values' in r) parts.push(setRequirement(r));
  }
  return parts.join(',');
}

/** `involvedObject.uid=...,reason=...`: equality only, values with `,` `=` `\` escaped as the apiserver expects. */
export function fieldSelector(equals: Readonly<Record<string, string>>): string {
  return Object.entries(equals)
    .map(([field, value]) => {
      if (!/^[A-Za-z][A-Za-z0-9.]*$/.test(field))
        throw new TypeError(`invalid field selector field "${field}"`);
      return `${field}=${value.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=')}`;
    })
    .join(',');
}

function setRequirement(r: { key: string; operator: 'in' | 'notin'; values: readonly string[] }): string {
  if (r.values.length === 0)
    throw new TypeError(`label selector "${r.key} ${r.operator}" needs at least one value`);
  for (const v of r.values) checkValue(r.key, v);
  return `${r.key} ${r.operator} (${r.values.join(',')})`;
}

function checkKey(key: string): void {
  if (!LABEL_KEY.test(key) || key.length > 317) throw new TypeError(`invalid label key "${key}"`);
}
function checkValue(key: string, value: string): void {
  if (!LABEL_VALUE.test(value)) throw new TypeError(`invalid value "${value}" for label "${key}"`);
}
