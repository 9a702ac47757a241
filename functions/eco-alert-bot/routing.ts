import { matches, parseMatcher } from './matchers.ts';
import type { Matcher } from './matchers.ts';

/**
 * One routing rule, as data (the default table and the ECO_ALERT_ROUTES file use this shape).
 * A route matches an alert when its alertname (if given) is one of `alertname` and every matcher
 * holds. Every matching route contributes its targets, in table order, until a matching route with
 * `stop: true`.
 */
export interface RouteSpec {
  /** A name for messages and reports; the file loader fills in `routes[i]` when absent. */
  readonly name: string;
  /** Exact alert name(s); absent means any alert name. */
  readonly alertname?: string | readonly string[];
  /** Alertmanager-style label matchers: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`. */
  readonly matchers?: readonly string[];
  /** Bots (function names) that receive matching alerts. */
  readonly targets: readonly string[];
  /** When this route matches, no later route is considered. */
  readonly stop?: boolean;
  /** Why the route exists (documentation only). */
  readonly description?: string;
}

export interface CompiledRoute {
  readonly spec: RouteSpec;
  readonly alertnames: ReadonlySet<string> | undefined;
  readonly matchers: readonly Matcher[];
}

export interface RouteDecision {
  /** Targets in table order, without duplicates; empty when unrouted. */
  readonly targets: string[];
  /** Names of the routes that matched. */
  readonly routes: string[];
}

/** Function names are DNS-1123 labels (OpenFaaS and Knative both require it). */
export const TARGET_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Compiles a table; throws an Error naming the route and field at fault. */
export function compileRoutes(specs: readonly RouteSpec[]): CompiledRoute[] {
  return specs.map((spec, index) => {
    const where = `routes[${index}]${spec.name && spec.name !== `routes[${index}]` ? ` (${spec.name})` : ''}`;
    const names = spec.alertname === undefined ? undefined : [spec.alertname].flat();
    if (names !== undefined && (names.length === 0 || names.some((n) => n.trim() === ''))) {
      throw new Error(`${where}.alertname: must be a non-empty name or list of names`);
    }
    spec.targets.forEach((target, t) => {
      if (!TARGET_NAME.test(target)) {
        throw new Error(`${where}.targets[${t}]: "${target}" is not a function name (DNS-1123 label)`);
      }
    });
    const matchers = (spec.matchers ?? []).map((text, m) => {
      try {
        return parseMatcher(text);
      } catch (error) {
        throw new Error(`${where}.matchers[${m}]: ${(error as Error).message}`);
      }
    });
    return { spec, alertnames: names === undefined ? undefined : new Set(names), matchers };
  });
}

export function routeAlert(
  routes: readonly CompiledRoute[],
  labels: Readonly<Record<string, string>>,
): RouteDecision {
  const targets: string[] = [];
  const matched: string[] = [];
  const alertname = labels['alertname'] ?? '';
  for (const route of routes) {
    if (route.alertnames !== undefined && !route.alertnames.has(alertname)) continue;
    if (!route.matchers.every((m) => matches(m, labels))) continue;
    matched.push(route.spec.name);
    for (const target of route.spec.targets) if (!targets.includes(target)) targets.push(target);
    if (route.spec.stop === true) break;
  }
  return { targets, routes: matched };
}
