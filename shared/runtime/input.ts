import type { TSchema } from '../schema/index.ts';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Errors } from '@sinclair/typebox/errors';
import { Check, Default } from '@sinclair/typebox/value';
import { ValidationError, type Issue } from '../errors/validation-error.ts';

// The compiler costs ~25 KB of every bundle (it carries TypeBox's decode/encode code) and is kept:
// a compiled check of the Alertmanager payload is ~4x faster than Check (2 us against 8 us).
interface Compiled {
  /** Compiled on the second use: compiling (code generation) on the first would slow every cold start. */
  check: TypeCheck<TSchema> | undefined;
  uses: number;
  /** Default walks the whole value: skip it for schemas that declare no default. */
  hasDefaults: boolean;
}

// Compiled once per schema: a bot runs many times in one process.
const compiled = new WeakMap<TSchema, Compiled>();

function compile(schema: TSchema): Compiled {
  let entry = compiled.get(schema);
  if (entry === undefined) {
    entry = {
      check: undefined,
      uses: 0,
      hasDefaults: JSON.stringify(schema).includes('"default":'),
    };
    compiled.set(schema, entry);
  }
  return entry;
}

/**
 * Applies the schema's defaults, then validates. The 400 names the first offending field (as a
 * JSON pointer) and carries every issue found. `owned` says the caller gives up the value (freshly
 * parsed JSON), so defaults may be written into it instead of a copy.
 */
export function validateInput<S extends TSchema>(schema: S, raw: unknown, owned = false): unknown {
  const entry = compile(schema);
  entry.uses += 1;
  if (entry.check === undefined && entry.uses > 1) entry.check = TypeCompiler.Compile(schema);
  const check = entry.check;
  let input: unknown = raw === undefined || raw === null ? {} : owned ? raw : structuredClone(raw);
  if (entry.hasDefaults) input = Default(schema, input);
  if (check === undefined ? Check(schema, input) : check.Check(input)) return input;
  const issues: Issue[] = [];
  for (const error of check === undefined ? Errors(schema, input) : check.Errors(input)) {
    issues.push({ path: error.path, message: error.message });
    if (issues.length >= 20) break;
  }
  const first = issues[0];
  const where = first === undefined || first.path === '' ? '' : `${pointerToPath(first.path)}: `;
  throw new ValidationError(`invalid options: ${where}${first?.message ?? 'does not match the schema'}`, {
    code: 'invalid-options',
    issues,
  });
}

/** A JSON pointer as people write a field: `/alerts/2/startsAt` -> `alerts[2].startsAt`. */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (out, segment) =>
        /^\d+$/.test(segment) ? `${out}[${segment}]` : out === '' ? segment : `${out}.${segment}`,
      '',
    );
}
