export { buildRunSteps } from "./build-run-steps.js";
export { buildRunTrace } from "./build-run-trace.js";
export { formatTraceTree } from "./format-trace-tree.js";
export { createOtlpExporter, type OtlpExporter, type OtlpExporterOptions } from "./otlp-exporter.js";
export { createRunTraces, type RunListQuery, type RunScope, type RunStepsQuery, type RunTraces } from "./run-traces.js";
export { spanIdOf, traceIdOf } from "./span-ids.js";
export { toOtlpBody } from "./to-otlp.js";
export { runStates, type AttributeValue, type RunState, type RunStepDetail, type RunSummary, type RunTrace, type SpanKind, type SpanStatus, type TraceSpan } from "./trace-types.js";
