import type { AttributeValue, RunTrace, SpanKind, TraceSpan } from "./trace-types.js";

type OtlpAnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } | { arrayValue: { values: OtlpAnyValue[] } };
type OtlpKeyValue = { key: string; value: OtlpAnyValue };

/** OTLP span kinds: INTERNAL 1, CLIENT 3 (a model call leaves the process). */
const otlpKind = (kind: SpanKind): number => (kind === "chat" ? 3 : 1);

/** OTLP status codes: UNSET 0, OK 1, ERROR 2. */
const otlpStatus = { unset: 0, ok: 1, error: 2 } as const;

/**
 * The OTLP/HTTP JSON body (`POST /v1/traces`) of run traces: one resource (`service.name` aiplus), one scope, ids as
 * hex strings, times as unix nanoseconds in strings, attributes as KeyValue lists. An open span ends at `now`.
 */
export function toOtlpBody(traces: RunTrace[], options: { serviceVersion?: string | undefined; now: number }) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [keyValue("service.name", "aiplus"), ...(options.serviceVersion ? [keyValue("service.version", options.serviceVersion)] : [])] },
        scopeSpans: [{ scope: { name: "aiplus.runs", version: options.serviceVersion ?? "" }, spans: traces.flatMap((trace) => trace.spans.map((span) => toOtlpSpan(span, options.now))) }],
      },
    ],
  };
}

function toOtlpSpan(span: TraceSpan, now: number) {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId === null ? {} : { parentSpanId: span.parentSpanId }),
    name: span.name,
    kind: otlpKind(span.kind),
    startTimeUnixNano: toUnixNano(span.startTime),
    endTimeUnixNano: toUnixNano(span.endTime ?? Math.max(now, span.startTime)),
    attributes: Object.entries(span.attributes).map(([key, value]) => keyValue(key, value)),
    status: { code: otlpStatus[span.status], ...(span.statusMessage === null ? {} : { message: span.statusMessage }) },
  };
}

function keyValue(key: string, value: AttributeValue): OtlpKeyValue {
  return { key, value: anyValue(value) };
}

function anyValue(value: AttributeValue): OtlpAnyValue {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((entry) => ({ stringValue: entry })) } };
  switch (typeof value) {
    case "string":
      return { stringValue: value };
    case "boolean":
      return { boolValue: value };
    case "number":
      return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
    default:
      return value satisfies never;
  }
}

/** Epoch milliseconds → unix nanoseconds as a decimal string (beyond 2^53, so no Number). */
function toUnixNano(epochMs: number): string {
  return (BigInt(Math.round(epochMs)) * 1_000_000n).toString();
}
