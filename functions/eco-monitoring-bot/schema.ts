import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';

export const InputSchema = Type.Object(
  {
    /** Measure pods of this namespace only (nodes are always measured). */
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    /** Overrides ECO_MONITOR_CPU_THRESHOLD (default 80). */
    cpuThresholdPercent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    /** Overrides ECO_MONITOR_MEMORY_THRESHOLD (default 90). */
    memoryThresholdPercent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    /** Measure pods too (per-pod gauges and findings). */
    pods: Type.Boolean({ default: true }),
    /** How many of the busiest pods to list in the report's data. */
    top: Type.Integer({ default: 10, minimum: 0, maximum: 100 }),
  },
  { additionalProperties: false },
);

export type Input = Static<typeof InputSchema>;
