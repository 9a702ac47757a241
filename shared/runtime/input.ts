import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { ValidationError, type Issue } from '../errors/validation-error.ts';

// Compiled once per schema: a bot runs many times in one process.
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/**
 * Applies the schema's defaults to a copy of the input, then validates it. The 400 names the first
 * offending field (as a JSON pointer) and carries every issue found.
 */
export function validateInput<S extends TSchema>(schema: S, raw: unknown): unknown {
  const input = Value.Default(schema, raw === undefined || raw === null ? {} : structuredClone(raw));
  const check = checker(schema);
  if (check.Check(input)) return input;
  const issues: Issue[] = [];
  for (const error of check.Errors(input)) {
    issues.push({ path: error.path, message: error.message });
    if (issues.length >= 20) break;
  }
  const first = issues[0];
  const where = first === undefined || first.path === '' ? 'options' : `field ${first.path}`;
  throw new ValidationError(`invalid options: ${where}: ${first?.message ?? 'does not match the schema'}`, {
    code: 'invalid-options',
    issues,
  });
}
