// Reading `tofu show -json` plans (OpenTofu's JSON output format, format_version 1.x): the plan id,
// the providers it uses, the resources it destroys or replaces, and the drift it found on refresh.
import { createHash } from 'node:crypto';
import { normaliseProvider, prohibitedProvider } from '../../shared/index.ts';

export interface ResourceChange {
  address: string;
  mode?: string;
  type?: string;
  provider_name?: string;
  action_reason?: string;
  change?: {
    actions?: string[];
    before?: unknown;
    after?: unknown;
    replace_paths?: unknown[];
  };
}

export interface Plan {
  format_version?: string;
  terraform_version?: string;
  resource_changes?: ResourceChange[];
  resource_drift?: ResourceChange[];
  configuration?: { provider_config?: Record<string, { name?: string; full_name?: string }> };
}

/** The plan id tofu-controller approves: the SHA-256 of the plan JSON (as serialised here). */
export function planId(plan: unknown): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

export function isPlan(value: unknown): value is Plan {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { format_version?: unknown }).format_version === 'string'
  );
}

/** Every provider the plan names (configuration and resources), normalised, with where it was seen. */
export function providersOf(plan: Plan): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (source: string | undefined, where: string): void => {
    if (!source) return;
    const key = normaliseProvider(source);
    const list = out.get(key) ?? [];
    if (!list.includes(where)) list.push(where);
    out.set(key, list);
  };
  for (const [name, p] of Object.entries(plan.configuration?.provider_config ?? {}))
    add(p.full_name ?? p.name ?? name, `provider "${name}"`);
  for (const rc of [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])])
    add(rc.provider_name, rc.address);
  return out;
}

export function prohibitedOf(plan: Plan): { provider: string; what: string; seenIn: string[] }[] {
  return [...providersOf(plan)]
    .filter(([p]) => prohibitedProvider(p) !== undefined)
    .map(([provider, seenIn]) => ({ provider, what: prohibitedProvider(provider) ?? '', seenIn }));
}

export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op';

export function changeKind(actions: readonly string[] | undefined): ChangeKind {
  const a = actions ?? [];
  if (a.includes('delete') && a.includes('create')) return 'replace';
  if (a.includes('delete')) return 'delete';
  if (a.includes('create')) return 'create';
  if (a.includes('update')) return 'update';
  if (a.includes('read')) return 'read';
  return 'no-op';
}

export function summary(plan: Plan): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = {
    create: 0,
    update: 0,
    delete: 0,
    replace: 0,
    read: 0,
    'no-op': 0,
  };
  for (const rc of plan.resource_changes ?? []) counts[changeKind(rc.change?.actions)]++;
  return counts;
}
