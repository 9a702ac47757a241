import { Kind, OptionalKind, Type as TypeBoxType, type TSchema } from '@sinclair/typebox';
import { Check } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import * as Type from '../../../shared/schema/index.ts';
import { PayloadSchema } from '../../../functions/eco-alert-bot/schema.ts';
import { ReportSchema } from '../../../shared/report/schema.ts';

// shared/schema replaces TypeBox's `Type` in every bot and in the kit, so a schema built with it must
// be the schema TypeBox builds: the same JSON Schema, and the same Kind/Optional symbols that
// Check, Errors, Default and the compiler dispatch on.

type Builders = typeof Type | typeof TypeBoxType;

/** One representative schema per shape the fleet uses, built with the given builders. */
function representative(T: Builders): Record<string, TSchema> {
  const labels = T.Record(T.String(), T.String());
  return {
    options: T.Object(
      {
        namespace: T.Optional(T.String({ minLength: 1, description: 'only this namespace' })),
        maxRestarts: T.Integer({ minimum: 0, default: 5 }),
        ratio: T.Number({ minimum: 0, maximum: 1, default: 0.5 }),
        apply: T.Boolean({ default: false }),
        mode: T.Union([T.Literal('report'), T.Literal('fix')], { default: 'report' }),
        names: T.Optional(T.Array(T.String(), { maxItems: 50 })),
        labels: T.Optional(labels),
        extra: T.Optional(T.Unknown()),
      },
      { additionalProperties: false },
    ),
    nested: T.Object(
      {
        alerts: T.Array(
          T.Object(
            {
              status: T.Union([T.Literal('firing'), T.Literal('resolved')]),
              labels,
              startsAt: T.String({ pattern: '^\\d{4}-' }),
            },
            { additionalProperties: true },
          ),
        ),
        version: T.Optional(T.Literal(4)),
      },
      { additionalProperties: true },
    ),
    composite: T.Composite([
      T.Object({ a: T.String(), b: T.Optional(T.Integer()) }),
      T.Object({ c: T.Record(T.String(), T.Number()) }),
    ]),
  };
}

/** Every symbol-keyed property (Kind, OptionalKind...) at every depth, as `path: key=value` lines. */
function symbolsOf(value: unknown, path = '#'): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const own = Object.getOwnPropertySymbols(value).map(
    (key) => `${path}: ${key.description ?? ''}=${String((value as Record<symbol, unknown>)[key])}`,
  );
  const nested = Object.entries(value).flatMap(([key, child]) => symbolsOf(child, `${path}/${key}`));
  return [...own, ...nested].sort();
}

const ours = representative(Type);
const typebox = representative(TypeBoxType);

describe('shared/schema', () => {
  it.each(Object.keys(typebox))('builds the %s schema exactly as TypeBox Type does', (name) => {
    const mine = ours[name];
    const theirs = typebox[name];
    expect(JSON.stringify(mine)).toBe(JSON.stringify(theirs));
    expect(symbolsOf(mine)).toEqual(symbolsOf(theirs));
  });

  it('keeps the Kind and Optional symbols the validators dispatch on', () => {
    const options = ours.options as TSchema & { properties: Record<string, TSchema> };
    expect(options[Kind]).toBe('Object');
    expect(options.properties.namespace?.[Kind]).toBe('String');
    expect(options.properties.namespace?.[OptionalKind]).toBe('Optional');
    expect(options.properties.mode?.[Kind]).toBe('Union');
    expect(options.properties.labels?.[Kind]).toBe('Record');
    expect(ours.composite?.[Kind]).toBe('Object');
  });

  it('exports builders that are TypeBox’s own functions, so no other schema can come out', () => {
    for (const [name, builder] of Object.entries(Type)) {
      expect(builder, name).toBe((TypeBoxType as unknown as Record<string, unknown>)[name]);
    }
  });

  it('validates a value as TypeBox validates it against the same schema', () => {
    const samples: unknown[] = [
      { maxRestarts: 3, ratio: 0.2, apply: true, mode: 'fix' },
      { maxRestarts: -1, ratio: 0.2, apply: true, mode: 'fix' },
      { maxRestarts: 3, ratio: 0.2, apply: true, mode: 'fix', unknownField: 1 },
      { maxRestarts: 3, ratio: 2, apply: 'yes', mode: 'other', namespace: '' },
    ];
    const verdicts = samples.map((value) => [
      Check(ours.options as TSchema, value),
      Check(typebox.options as TSchema, value),
    ]);
    expect(verdicts).toEqual([
      [true, true],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });

  it('is what the fleet’s schemas are built from: they carry TypeBox kinds', () => {
    expect((PayloadSchema as TSchema)[Kind]).toBe('Object');
    expect((ReportSchema as TSchema)[Kind]).toBe('Object');
    expect(Check(PayloadSchema, { alerts: [] })).toBe(true);
  });
});
