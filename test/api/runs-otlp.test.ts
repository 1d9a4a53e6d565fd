import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";

// OTLP export of run traces: only when AIPLUS_OTLP_ENDPOINT (config otlpEndpoint) is set; a local collector
// records what arrives.
type KeyValue = { key: string; value: Record<string, unknown> };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  status: { code: number; message?: string };
};
type OtlpBody = { resourceSpans: Array<{ resource: { attributes: KeyValue[] }; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }> };

let upstream: ScriptedUpstream;
let collector: http.Server;
const received: Array<{ path: string; contentType: string | undefined; body: OtlpBody }> = [];
const model = "remote-model";
const calculator = { type: "server_tool", name: "calculator" } as never;

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  upstream.on("user: What is 6*7?", { toolCall: { name: "calculator", arguments: { expression: "6*7" } } });
  upstream.on("tool: 42", { text: "42." });
  collector = http.createServer((request, response) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => {
      received.push({ path: request.url ?? "", contentType: request.headers["content-type"], body: JSON.parse(text) as OtlpBody });
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await upstream?.stop();
  collector.closeAllConnections();
  await new Promise<void>((resolve) => collector.close(() => resolve()));
});

async function runToolLoop(server: TestServer): Promise<string> {
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
  const response = await server.admin.responses.create({ model, input: "What is 6*7?", tools: [calculator] });
  expect(response.status).toBe("completed");
  return response.id;
}

const collectorUrl = () => `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

describe("OTLP export", () => {
  it("sends nothing when no endpoint is configured", async () => {
    const server = await startTestServer();
    try {
      await runToolLoop(server);
    } finally {
      // Dispose waits for exports in flight: had one started, it would have arrived by now.
      await server.close();
    }
    expect(received).toEqual([]);
  });

  it("posts each finished run's spans as OTLP/HTTP JSON to the configured collector", async () => {
    const server = await startTestServer({ otlpEndpoint: collectorUrl() });
    let runId: string;
    let traceView: { trace_id: string; spans: Array<{ span_id: string; name: string }> };
    try {
      runId = await runToolLoop(server);
      traceView = await server.admin.get(`/runs/${runId}/trace`);
      for (let attempt = 0; attempt < 400 && received.length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      await server.close();
    }
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ path: "/v1/traces", contentType: "application/json" });
    const resource = request!.body.resourceSpans[0]!;
    expect(resource.resource.attributes).toContainEqual({ key: "service.name", value: { stringValue: "aiplus" } });
    const spans = resource.scopeSpans[0]!.spans;
    expect(spans.map((span) => span.name)).toEqual(traceView.spans.map((span) => span.name));
    expect(spans.map((span) => span.name)).toEqual([`response ${runId}`, `chat ${model}`, "execute_tool calculator", `chat ${model}`]);
    const [root, ...children] = spans;
    expect(root!.traceId).toBe(traceView.trace_id);
    expect(root!.spanId).toBe(traceView.spans[0]!.span_id);
    expect(root!.parentSpanId).toBeUndefined();
    expect(root!.status.code).toBe(1);
    for (const span of children) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(span.parentSpanId).toBe(root!.spanId);
      expect(BigInt(span.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(span.startTimeUnixNano));
      expect(BigInt(span.startTimeUnixNano) % 1_000_000n).toBe(0n);
    }
    const chat = children[0]!;
    expect(chat.kind).toBe(3);
    expect(chat.attributes).toContainEqual({ key: "gen_ai.operation.name", value: { stringValue: "chat" } });
    expect(chat.attributes).toContainEqual({ key: "gen_ai.usage.input_tokens", value: { intValue: "10" } });
    expect(chat.attributes).toContainEqual({ key: "gen_ai.usage.output_tokens", value: { intValue: "5" } });
    expect(chat.attributes).toContainEqual({ key: "gen_ai.response.finish_reasons", value: { arrayValue: { values: [{ stringValue: "tool-calls" }] } } });
    expect(children[1]!.attributes).toContainEqual({ key: "gen_ai.tool.name", value: { stringValue: "calculator" } });
  });

  it("a collector that cannot be reached never fails the run", async () => {
    const unreachable = http.createServer();
    await new Promise<void>((resolve) => unreachable.listen(0, "127.0.0.1", resolve));
    const port = (unreachable.address() as AddressInfo).port;
    await new Promise<void>((resolve) => unreachable.close(() => resolve()));
    const server = await startTestServer({ otlpEndpoint: `http://127.0.0.1:${port}/v1/traces` });
    try {
      const runId = await runToolLoop(server);
      expect((await server.admin.get<{ status: string }>(`/runs/${runId}`)).status).toBe("completed");
    } finally {
      await server.close();
    }
  });

  it("rejects an endpoint that is not an http(s) URL", async () => {
    await expect(startTestServer({ otlpEndpoint: "collector:4318" })).rejects.toThrow(/otlpEndpoint|AIPLUS_OTLP_ENDPOINT/);
  });
});
