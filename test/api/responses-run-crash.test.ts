import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { ScriptedUpstream, type ScriptedRequest } from "../support/scripted-upstream.js";

// A response run survives kill -9: resumed from its log after a restart, no model call or tool side effect repeated,
// no duplicate ledger rows, the same transcript as an uninterrupted run.
const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-run-crash-"));
const toolLog = path.join(home, "tool-log.txt");
const adminKey = "aip_run_crash_admin_key_0123456789";
const environment = { AIPLUS_HOME: home, AIPLUS_ADMIN_KEY: adminKey, AIPLUS_THREADS: "1", AIPLUS_GPU: "cpu", AIPLUS_LOG_LEVEL: "warn", AIPLUS_TEST_TOOL_LOG: toolLog };
const children: ServerProcess[] = [];
let upstream: ScriptedUpstream | undefined;

afterAll(async () => {
  for (const server of children) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
  }
  await upstream?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

type RunView = OpenAIResponse & { run_status?: string };
type LedgerRow = { id: string; status: string; endpoint: string };

const model = "remote-model";
const appendLine = { type: "server_tool", name: "append_line" } as never;
const guardedAppendLine = { type: "server_tool", name: "append_line", require_approval: "always" } as never;

async function poll(client: OpenAI, id: string, until: (response: RunView) => boolean): Promise<RunView> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const response = (await client.responses.retrieve(id)) as RunView;
    if (until(response)) return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`response ${id} never reached the expected state`);
}

/** Messages with tool call ids replaced by their order of appearance (ids differ between runs). */
function normalisedMessages(request: ScriptedRequest): unknown {
  const ids = new Map<string, string>();
  const id = (value: string) => ids.get(value) ?? (ids.set(value, `id${ids.size}`), ids.get(value)!);
  return request.messages.map((message) => ({
    ...message,
    ...(message.tool_calls ? { tool_calls: message.tool_calls.map((call) => ({ ...call, id: id(call.id) })) } : {}),
    ...(message.tool_call_id ? { tool_call_id: id(message.tool_call_id) } : {}),
  }));
}

/** Output items without their random ids. */
function normalisedOutput(response: RunView): unknown {
  return response.output.map((item) => {
    const { id: _id, ...rest } = item as { id: string };
    if ("content" in rest) return { ...rest, content: (rest.content as Array<Record<string, unknown>>).map((part) => ({ ...part })) };
    return rest;
  });
}

const toolLines = (responseId: string) => (fs.existsSync(toolLog) ? fs.readFileSync(toolLog, "utf8").split("\n").filter((line) => line.includes(responseId)) : []);

describe("response runs across kill -9", () => {
  it("resume after a logged model reply and while awaiting approval: each side effect once, no duplicate ledger rows, same transcript", async () => {
    upstream = await ScriptedUpstream.start();
    upstream.on("user: Log one line", { toolCall: { name: "append_line", arguments: { text: "one" } } });
    upstream.on("tool: appended: one", { text: "Logged it." });
    upstream.on("user: Log after approval", { toolCall: { name: "append_line", arguments: { text: "approved" } } });
    upstream.on("tool: appended: approved", { text: "Logged the approved line." });

    const first = await spawnServer(environment);
    children.push(first);
    const admin = new OpenAI({ apiKey: adminKey, baseURL: `${first.url}/v1`, maxRetries: 0 });
    await admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
    await admin.put(`/admin/prices/${model}`, { body: { input_per_million: 1, output_per_million: 2 } });
    const baselineKey = await admin.post<{ id: string; key: string }>("/admin/keys", { body: { name: "baseline", budget: 10 } });
    const crashKey = await admin.post<{ id: string; key: string }>("/admin/keys", { body: { name: "crash", budget: 10 } });

    // The uninterrupted run, for comparison.
    const baselineClient = new OpenAI({ apiKey: baselineKey.key, baseURL: `${first.url}/v1`, maxRetries: 0 });
    const baselineStart = upstream.requests.length;
    const baseline = await baselineClient.responses.create({ model, input: "Log one line", tools: [appendLine], background: true });
    const baselineDone = await poll(baselineClient, baseline.id, (response) => response.status === "completed");
    const baselineRequests = upstream.requests.slice(baselineStart);
    expect(baselineRequests).toHaveLength(2);

    // A run paused for approval, and a run killed during its second model call (after its first reply and its tool
    // call were logged).
    const client = new OpenAI({ apiKey: crashKey.key, baseURL: `${first.url}/v1`, maxRetries: 0 });
    const awaiting = await client.responses.create({ model, input: "Log after approval", tools: [guardedAppendLine], background: true });
    expect((await poll(client, awaiting.id, (response) => response.run_status === "awaiting_approval")).output[0]?.type).toBe("mcp_approval_request");
    upstream.on("tool: appended: one", { hold: true });
    const crashStart = upstream.requests.length;
    const crashed = await client.responses.create({ model, input: "Log one line", tools: [appendLine], background: true });
    await upstream.waitForRequests(crashStart + 2);
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    expect(toolLines(crashed.id)).toHaveLength(1);

    upstream.on("tool: appended: one", { text: "Logged it." });
    const second = await spawnServer(environment);
    children.push(second);
    const restarted = new OpenAI({ apiKey: crashKey.key, baseURL: `${second.url}/v1`, maxRetries: 0 });
    const resumed = await poll(restarted, crashed.id, (response) => response.status !== "queued" && response.status !== "in_progress");
    expect(resumed.status).toBe("completed");
    expect(normalisedOutput(resumed)).toEqual(normalisedOutput(baselineDone));
    const crashRequests = upstream.requests.slice(crashStart);
    // First call (logged: not repeated), the held call cut by the kill, the same call again after the restart.
    expect(crashRequests.map(normalisedMessages)).toEqual([baselineRequests[0], baselineRequests[1], baselineRequests[1]].map((request) => normalisedMessages(request!)));
    expect(toolLines(crashed.id)).toHaveLength(1);

    // The approval survived the restart: approve it from the inbox; the run completes.
    const adminAfter = new OpenAI({ apiKey: adminKey, baseURL: `${second.url}/v1`, maxRetries: 0 });
    const pending = (await restarted.get<{ data: Array<{ id: string; response_id: string }> }>("/approvals")).data;
    expect(pending.map((approval) => approval.response_id)).toEqual([awaiting.id]);
    await adminAfter.post(`/approvals/${pending[0]!.id}/approve`);
    const approved = await poll(restarted, awaiting.id, (response) => response.status !== "in_progress");
    expect(approved.status).toBe("completed");
    expect(approved.output.map((item) => item.type)).toEqual(["mcp_approval_request", "mcp_call", "message"]);
    expect(toolLines(awaiting.id)).toHaveLength(1);
    expect(upstream.rejected).toEqual([]);

    // One ledger row per upstream call of the key's runs (the cut call's row settled as interrupted), none pending.
    const rows = (await adminAfter.get<{ data: LedgerRow[] }>("/admin/usage/records", { query: { key_id: crashKey.id } })).data;
    const crashKeyCalls = upstream.requests.length - baselineStart - baselineRequests.length;
    expect(rows).toHaveLength(crashKeyCalls);
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    expect(rows.filter((row) => row.status === "pending")).toEqual([]);
    expect(rows.filter((row) => row.status === "interrupted")).toHaveLength(1);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
