import type { RunTrace, TraceSpan } from "./trace-types.js";

/**
 * A trace as an indented text tree, one span a line: name, duration (ms, `open` while running), tokens, cost, and
 * the status when it is not ok.
 */
export function formatTraceTree(trace: RunTrace): string[] {
  const children = new Map<string | null, TraceSpan[]>();
  for (const span of trace.spans) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
  const lines: string[] = [];
  const visit = (span: TraceSpan, depth: number) => {
    lines.push(`${"  ".repeat(depth)}${describe(span)}`);
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  return lines;
}

function describe(span: TraceSpan): string {
  const parts = [span.name, span.durationMs === null ? "open" : `${span.durationMs} ms`];
  const input = span.attributes["gen_ai.usage.input_tokens"];
  const output = span.attributes["gen_ai.usage.output_tokens"];
  if (typeof input === "number" || typeof output === "number") parts.push(`tokens ${typeof input === "number" ? input : "-"} in / ${typeof output === "number" ? output : "-"} out`);
  const cost = span.attributes["aiplus.cost_usd"];
  if (typeof cost === "number") parts.push(`$${cost.toFixed(6)}`);
  if (span.status === "error") parts.push(`error: ${span.statusMessage ?? "failed"}`);
  else if (span.statusMessage !== null) parts.push(span.statusMessage);
  return parts.join("  ");
}
