import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';

const Name = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' });

export const InputSchema = Type.Object(
  {
    /**
     * `test-restore` (the default, what the cron runs): restore into scratch namespaces, count what was
     * created, then delete them, proving the backup works. `restore`: restore for real.
     */
    action: Type.Optional(Type.Union([Type.Literal('test-restore'), Type.Literal('restore')])),
    /** The backup's name; default: the newest complete one. */
    backup: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    /** Only these source namespaces of the backup. */
    namespaces: Type.Optional(Type.Array(Name, { uniqueItems: true, minItems: 1 })),
    /** Velero namespaceMapping: `{ "shop": "shop-restored" }` or `"shop:shop-restored,data:data-2"`. */
    namespaceMapping: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.String()])),
    /** Velero existingResourcePolicy: `skip` (Velero's none, the default) or `update`. */
    existing: Type.Optional(Type.Union([Type.Literal('skip'), Type.Literal('update'), Type.Literal('none')])),
    includeResources: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true })),
    excludeResources: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true })),
    preserveNodePorts: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type Input = Static<typeof InputSchema>;
