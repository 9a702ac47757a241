import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';

const Name = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' });

export const InputSchema = Type.Object(
  {
    /** Back up these namespaces only (default: every namespace that is not protected). */
    namespaces: Type.Optional(Type.Array(Name, { uniqueItems: true, minItems: 1 })),
    /** Only namespaces whose labels match (e.g. `backup=daily`). */
    namespaceSelector: Type.Optional(Type.String({ maxLength: 1024 })),
    /** Only objects whose labels match. */
    labelSelector: Type.Optional(Type.String({ maxLength: 1024 })),
    /** Velero-style resource names (`deployments.apps`, `configmaps`) or kinds. */
    includeResources: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true })),
    excludeResources: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true })),
    /** Include Secrets (the archive is then encrypted; a key file must be configured). */
    includeSecrets: Type.Optional(Type.Boolean()),
    /** The backup's base name (`<name>-<UTC timestamp>`). */
    name: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$' })),
    /** Apply retention after the backup (default true). */
    retention: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type Input = Static<typeof InputSchema>;
