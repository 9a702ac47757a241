import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';

export const InputSchema = Type.Object(
  {
    /** Clean this namespace only (cluster-scoped kinds such as Namespaces are then not scanned). */
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    /** Run only these rules (a subset of ECO_CLEANUP_RULES; an invocation cannot enable more). */
    rules: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('ttl'),
          Type.Literal('jobs'),
          Type.Literal('pods'),
          Type.Literal('replicasets'),
        ]),
        {
          uniqueItems: true,
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export type Input = Static<typeof InputSchema>;
