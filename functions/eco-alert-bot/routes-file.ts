import { readFile, stat } from 'node:fs/promises';
import * as Type from '../../shared/schema/index.ts';
import { Errors } from '@sinclair/typebox/errors';
import { parseYaml } from '../../shared/yaml/index.ts';
import { ConfigError, pointerToPath } from '../../shared/index.ts';
import { defaultRoutes } from './default-routes.ts';
import { compileRoutes } from './routing.ts';
import type { CompiledRoute, RouteSpec } from './routing.ts';

export const ROUTES_ENV = 'ECO_ALERT_ROUTES';

// The override file. `mode: extend` (the default) puts the file's routes BEFORE the defaults, so a
// route with `stop: true` can take an alert away from its default targets; `mode: replace` drops the
// defaults. A bare list of routes is read as `extend`.
const RouteFileEntry = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1 })),
    alertname: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
    ),
    matchers: Type.Optional(Type.Array(Type.String())),
    targets: Type.Array(Type.String(), { minItems: 1 }),
    stop: Type.Optional(Type.Boolean()),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const RouteFile = Type.Object(
  {
    mode: Type.Optional(Type.Union([Type.Literal('extend'), Type.Literal('replace')])),
    routes: Type.Array(RouteFileEntry),
  },
  { additionalProperties: false },
);

export interface RoutingTable {
  readonly source: 'defaults' | string;
  readonly mode: 'defaults' | 'extend' | 'replace';
  readonly specs: readonly RouteSpec[];
  readonly routes: readonly CompiledRoute[];
}

function parseText(text: string, file: string): unknown {
  try {
    // YAML 1.2 is a superset of JSON, but JSON.parse gives the better message for a .json file.
    return file.endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (error) {
    throw new ConfigError(
      ROUTES_ENV,
      `${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

/** Validates a parsed routes document and builds the table; throws a ConfigError naming the field. */
export function buildTable(document: unknown, source: string): RoutingTable {
  const shaped = Array.isArray(document) ? { routes: document } : document;
  const first = Errors(RouteFile, shaped).First();
  if (first !== undefined) {
    const where = pointerToPath(first.path) || '(document)';
    throw new ConfigError(ROUTES_ENV, `${source}: ${where}: ${first.message}`);
  }
  const file = shaped as {
    mode?: 'extend' | 'replace';
    routes: Array<Omit<RouteSpec, 'name'> & { name?: string }>;
  };
  const mode = file.mode ?? 'extend';
  const own: RouteSpec[] = file.routes.map((r, i) => ({ ...r, name: r.name ?? `routes[${i}]` }));
  let routes: CompiledRoute[];
  try {
    // Compile the file's own routes alone first so the index in a message is the file's index.
    routes = compileRoutes(own);
  } catch (error) {
    throw new ConfigError(ROUTES_ENV, `${source}: ${(error as Error).message}`);
  }
  const specs = mode === 'replace' ? own : [...own, ...defaultRoutes];
  if (mode === 'extend') routes = [...routes, ...compileRoutes(defaultRoutes)];
  return Object.freeze({ source, mode, specs, routes });
}

let defaults: RoutingTable | undefined;

export function defaultTable(): RoutingTable {
  defaults ??= Object.freeze({
    source: 'defaults',
    mode: 'defaults',
    specs: defaultRoutes,
    routes: compileRoutes(defaultRoutes),
  });
  return defaults;
}

// Read at first use and re-read when the file changes (a ConfigMap update), never per alert.
let cached: { file: string; mtimeMs: number; size: number; table: RoutingTable } | undefined;

/** The table in force: the defaults, or the ECO_ALERT_ROUTES file applied to them. */
export async function loadRoutingTable(
  env: Readonly<Record<string, string | undefined>>,
): Promise<RoutingTable> {
  const file = env[ROUTES_ENV]?.trim();
  if (file === undefined || file === '') return defaultTable();
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    throw new ConfigError(
      ROUTES_ENV,
      `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (
    cached !== undefined &&
    cached.file === file &&
    cached.mtimeMs === info.mtimeMs &&
    cached.size === info.size
  ) {
    return cached.table;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      ROUTES_ENV,
      `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const table = buildTable(parseText(text, file), file);
  cached = { file, mtimeMs: info.mtimeMs, size: info.size, table };
  return table;
}
