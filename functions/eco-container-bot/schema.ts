import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';

export const InputSchema = Type.Object(
  {
    /** Look at this namespace only. */
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    /** Restarts of a crash-looping container before its workload is rolled (overrides the setting). */
    restartThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    /** false: report only, even in apply mode. */
    remediate: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export type Input = Static<typeof InputSchema>;
