// Linked by scripts/build.ts in place of @opentelemetry/api (22 KB): prom-client's process CPU metric
// asks it for the active span only when exemplars are enabled, which the kit never does. Without a
// span there are no exemplar labels, which is what the real package answers with no tracer set.
export const context = { active: (): undefined => undefined };
export const trace = { getSpan: (): undefined => undefined };
