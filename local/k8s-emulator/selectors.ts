// Label and field selectors with the apiserver's grammar and semantics (apimachinery pkg/labels and
// pkg/fields; per-kind selectable fields from kubernetes pkg/registry/*/strategy.go ToSelectableFields).
import type { KubeObject } from '../../shared/k8s/types.ts';
import { badRequest } from './status-errors.ts';
import type { ResourceDef } from './resources.ts';

export type LabelOp = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export type LabelSelector = readonly LabelRequirement[];

const KEY_RE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function parseError(detail: string): never {
  throw badRequest(`unable to parse requirement: ${detail}`);
}

function checkKey(key: string): void {
  if (!KEY_RE.test(key) || key.length > 316)
    parseError(`Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`);
}

function checkValue(v: string): void {
  if (v.length > 63 || !VALUE_RE.test(v)) {
    parseError(
      `Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`,
    );
  }
}

/** Tokeniser: identifiers, `(`, `)`, `,`, `!`, `=`, `==`, `!=`, `>`, `<`. */
function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === ',' || c === '>' || c === '<') {
      out.push(c);
      i++;
    } else if (c === '=' || c === '!') {
      if (s[i + 1] === '=') {
        out.push(c + '=');
        i += 2;
      } else {
        out.push(c);
        i++;
      }
    } else {
      let j = i;
      while (j < s.length && !' \t(),=!<>'.includes(s[j] as string)) j++;
      out.push(s.slice(i, j));
      i = j;
    }
  }
  return out;
}

const PUNCT = new Set(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);

/** Parses a labelSelector query value; throws a 400 ApiError on a malformed selector. */
export function parseLabelSelector(input: string | null | undefined): LabelSelector {
  if (!input || input.trim() === '') return [];
  const t = tokenize(input);
  let p = 0;
  const reqs: LabelRequirement[] = [];
  const ident = (what: string): string => {
    const tok = t[p];
    if (tok === undefined || PUNCT.has(tok)) parseError(`found '${tok ?? ''}', expected: ${what}`);
    p++;
    return tok;
  };
  for (;;) {
    if (t[p] === '!') {
      p++;
      const key = ident('identifier');
      checkKey(key);
      reqs.push({ key, op: 'notexists', values: [] });
    } else {
      const key = ident('!, identifier');
      checkKey(key);
      const op = t[p];
      if (op === undefined || op === ',') {
        reqs.push({ key, op: 'exists', values: [] });
      } else if (op === '=' || op === '==' || op === '!=') {
        p++;
        const next = t[p];
        // `k=` means "value is empty".
        const value = next === undefined || next === ',' ? '' : ident('identifier');
        checkValue(value);
        reqs.push({ key, op: op === '!=' ? 'neq' : 'eq', values: [value] });
      } else if (op === 'in' || op === 'notin') {
        p++;
        if (t[p] !== '(') parseError(`found '${t[p] ?? ''}', expected: '('`);
        p++;
        const values: string[] = [];
        for (;;) {
          const tok = t[p];
          if (tok === ')') {
            p++;
            break;
          }
          if (tok === ',') {
            p++;
            continue;
          }
          const v = ident("',', ')' or identifier");
          checkValue(v);
          values.push(v);
        }
        reqs.push({ key, op: op === 'in' ? 'in' : 'notin', values });
      } else if (op === '>' || op === '<') {
        p++;
        const v = ident('identifier');
        if (!/^-?\d+$/.test(v)) parseError(`for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key, op: op === '>' ? 'gt' : 'lt', values: [v] });
      } else {
        parseError(`found '${op}', expected: '=', '!=', '==', 'in', notin'`);
      }
    }
    if (p >= t.length) break;
    if (t[p] !== ',') parseError(`found '${t[p] ?? ''}', expected: ','`);
    p++;
  }
  return reqs;
}

export function matchesLabels(
  sel: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  for (const r of sel) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'eq':
        if (!has || v !== r.values[0]) return false;
        break;
      case 'neq':
        if (has && v === r.values[0]) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v as string)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v as string)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v as string)) return false;
        const n = Number(v);
        const lim = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > lim) : !(n < lim)) return false;
        break;
      }
    }
  }
  return true;
}

/** A `metav1.LabelSelector` object (matchLabels + matchExpressions). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function selectorFromObject(o: LabelSelectorObject | undefined): LabelSelector {
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(o?.matchLabels ?? {}))
    reqs.push({ key, op: 'eq', values: [value] });
  for (const e of o?.matchExpressions ?? []) {
    const op: LabelOp =
      e.operator === 'In'
        ? 'in'
        : e.operator === 'NotIn'
          ? 'notin'
          : e.operator === 'Exists'
            ? 'exists'
            : 'notexists';
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

/** Selector string form, as Scale.status.selector and `kubectl` print it. */
export function selectorToString(sel: LabelSelector): string {
  return sel
    .map((r) => {
      switch (r.op) {
        case 'eq':
          return `${r.key}=${r.values[0] ?? ''}`;
        case 'neq':
          return `${r.key}!=${r.values[0] ?? ''}`;
        case 'in':
          return `${r.key} in (${r.values.join(',')})`;
        case 'notin':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'exists':
          return r.key;
        case 'notexists':
          return `!${r.key}`;
        case 'gt':
          return `${r.key}>${r.values[0] ?? ''}`;
        case 'lt':
          return `${r.key}<${r.values[0] ?? ''}`;
      }
      return '';
    })
    .join(',');
}

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

export type FieldSelector = readonly FieldRequirement[];

/** Splits on unescaped commas; `\,` `\=` `\\` are escapes in field selector values. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const unescape = (v: string): string => v.replace(/\\(.)/g, '$1');

/** Parses a fieldSelector for `def`; unknown fields are a 400 with the real wording. */
export function parseFieldSelector(input: string | null | undefined, def: ResourceDef): FieldSelector {
  if (!input || input.trim() === '') return [];
  const reqs: FieldRequirement[] = [];
  for (const raw of splitTerms(input)) {
    const term = raw.trim();
    if (term === '') continue;
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    const field = (m[1] as string).trim();
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !def.fields.includes(field)) {
      throw badRequest(
        def.custom || def.fields.length === 0
          ? `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`
          : `field label not supported: ${field}`,
      );
    }
    reqs.push({ field, negate: m[2] === '!=', value: unescape(m[3] as string) });
  }
  return reqs;
}

function path(obj: KubeObject, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The string value a field selector compares, as the per-kind ToSelectableFields computes it. */
export function fieldValue(obj: KubeObject, field: string): string {
  switch (field) {
    case 'metadata.name':
      return obj.metadata.name ?? '';
    case 'metadata.namespace':
      return obj.metadata.namespace ?? '';
    case 'source': {
      const v = path(obj, 'source.component') || path(obj, 'reportingController');
      return typeof v === 'string' ? v : '';
    }
    case 'spec.hostNetwork':
    case 'spec.unschedulable':
      return path(obj, field) === true ? 'true' : 'false';
    case 'status.successful':
      return String(path(obj, 'status.succeeded') ?? 0);
    case 'status.replicas':
      return String(path(obj, 'status.replicas') ?? 0);
    default: {
      const v = path(obj, field);
      if (v === undefined || v === null) return '';
      return typeof v === 'string' ? v : String(v);
    }
  }
}

export function matchesFields(sel: FieldSelector, obj: KubeObject): boolean {
  for (const r of sel) {
    const equal = fieldValue(obj, r.field) === r.value;
    if (equal === r.negate) return false;
  }
  return true;
}
