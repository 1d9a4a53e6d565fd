import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import OpenAI from "openai";
import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { ScriptedUpstream, type ScriptedRequest } from "../support/scripted-upstream.js";

// kill -9 at each point of a run's loop, made deterministic from outside: the server tool `gated_append` waits on hold
// files, the scripted upstream stalls or streams half a reply, and the test reads the durable state (the API, the
// SQLite file) to know the run is there before it kills. After one restart every run completes with each tool side
// effect once, one ledger row per upstream call (the cut call's settled as interrupted, none pending) and the same
// transcript as an uninterrupted run of the same script.
const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-crash-points-"));
const toolLog = path.join(home, "tool-log.txt");
const holds = path.join(home, "holds");
fs.mkdirSync(holds);
const adminKey = "aip_crash_points_admin_key_0123456789";
const environment = { AIPLUS_HOME: home, AIPLUS_ADMIN_KEY: adminKey, AIPLUS_THREADS: "1", AIPLUS_GPU: "cpu", AIPLUS_LOG_LEVEL: "warn", AIPLUS_TEST_TOOL_LOG: toolLog, AIPLUS_TEST_TOOL_HOLD: holds };
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
type LedgerRow = { id: string; status: string };
type Point = "reply_logged" | "tool_running" | "result_logged" | "awaiting_approval" | "mid_stream";

const model = "remote-model";
/** One run per kill point; `word` keys its script, its hold files and its tool line. */
const points: Array<{ point: Point; word: string; guarded: boolean }> = [
  { point: "reply_logged", word: "alpha", guarded: false },
  { point: "tool_running", word: "bravo", guarded: false },
  { point: "result_logged", word: "charlie", guarded: false },
  { point: "awaiting_approval", word: "delta", guarded: true },
  { point: "mid_stream", word: "echo", guarded: false },
];
const input = (word: string) => `Log ${word}`;
const finalText = (word: string) => `Logged ${word} for you.`;
const isOver = (response: RunView) => response.status !== "queued" && response.status !== "in_progress";

function script(upstream: ScriptedUpstream): void {
  for (const { word } of points) {
    upstream.on(`user: ${input(word)}`, { toolCall: { name: "gated_append", arguments: { text: word } } });
    upstream.on(`tool: appended: ${word}`, { text: finalText(word) });
  }
}

async function poll<T>(read: () => Promise<T> | T, until: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 1200; attempt++) {
    const value = await read();
    if (until(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never reached: ${what}`);
}

/** Output items with their random ids (and references to them) replaced by their order of appearance. */
function normalisedOutput(response: RunView): unknown {
  const ids = new Map<string, string>();
  const id = (value: string) => ids.get(value) ?? (ids.set(value, `id${ids.size}`), ids.get(value)!);
  return response.output.map((item) => {
    const record = { ...(item as unknown as Record<string, unknown>) };
    for (const field of ["id", "approval_request_id"]) if (typeof record[field] === "string") record[field] = id(record[field]);
    return record;
  });
}

/** The upstream requests of one run's script (its user input), from `from` on. */
const requestsOf = (word: string, from: number): ScriptedRequest[] =>
  upstream!.requests.slice(from).filter((request) => request.messages.find((message) => message.role === "user")?.content === input(word));
const toolLines = (responseId: string) => (fs.existsSync(toolLog) ? fs.readFileSync(toolLog, "utf8").split("\n").filter((line) => line.includes(responseId)) : []);

describe("response runs killed (kill -9) at each point of the loop", () => {
  it("resume to the uninterrupted transcript, each side effect once, one settled ledger row per upstream call", async () => {
    upstream = await ScriptedUpstream.start();
    script(upstream);
    const first = await spawnServer(environment);
    children.push(first);
    const admin = new OpenAI({ apiKey: adminKey, baseURL: `${first.url}/v1`, maxRetries: 0 });
    await admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
    await admin.put(`/admin/prices/${model}`, { body: { input_per_million: 1, output_per_million: 2 } });
    const tools = (guarded: boolean) => [{ type: "server_tool", name: "gated_append", ...(guarded ? { require_approval: "always" } : {}) } as never];
    const approveAll = async (client: OpenAI, responseId: string) => {
      const pending = (await client.get<{ data: Array<{ id: string; response_id: string }> }>("/approvals")).data.filter((approval) => approval.response_id === responseId);
      expect(pending).toHaveLength(1);
      await client.post(`/approvals/${pending[0]!.id}/approve`);
    };

    // Uninterrupted runs of every script.
    const baselineKey = await admin.post<{ key: string }>("/admin/keys", { body: { name: "baseline", budget: 10 } });
    const baselineClient = new OpenAI({ apiKey: baselineKey.key, baseURL: `${first.url}/v1`, maxRetries: 0 });
    const baselines = new Map<Point, { output: unknown; requests: number }>();
    for (const { point, word, guarded } of points) {
      const from = upstream.requests.length;
      const created = await baselineClient.responses.create({ model, input: input(word), tools: tools(guarded), background: true });
      if (guarded) {
        await poll(() => baselineClient.responses.retrieve(created.id) as Promise<RunView>, (response) => response.run_status === "awaiting_approval", `${point} baseline awaits approval`);
        await approveAll(baselineClient, created.id);
      }
      const done = await poll(() => baselineClient.responses.retrieve(created.id) as Promise<RunView>, isOver, `${point} baseline ends`);
      expect(done.status).toBe("completed");
      expect(done.output_text).toBe(finalText(word));
      expect(toolLines(created.id)).toHaveLength(1);
      baselines.set(point, { output: normalisedOutput(done), requests: requestsOf(word, from).length });
    }

    // The runs to kill, one key each (the ledger is checked per key), each brought to its point.
    fs.writeFileSync(path.join(holds, "alpha.before"), "");
    fs.writeFileSync(path.join(holds, "bravo.after"), "");
    upstream.on(`tool: appended: charlie`, { stall: true });
    upstream.on(`tool: appended: echo`, { partialText: "Logged echo" });
    const crashFrom = upstream.requests.length;
    const runs = new Map<Point, { id: string; keyId: string; key: string }>();
    for (const { point, word, guarded } of points) {
      const key = await admin.post<{ id: string; key: string }>("/admin/keys", { body: { name: point, budget: 10 } });
      const client = new OpenAI({ apiKey: key.key, baseURL: `${first.url}/v1`, maxRetries: 0 });
      const created = await client.responses.create({ model, input: input(word), tools: tools(guarded), background: true });
      runs.set(point, { id: created.id, keyId: key.id, key: key.key });
    }
    const database = new Database(path.join(home, "aiplus.db"), { readonly: true });
    const steps = (point: Point) =>
      database.prepare("SELECT step_index, kind, status, first_event FROM run_steps WHERE response_id = ? ORDER BY step_index").all(runs.get(point)!.id) as Array<{ step_index: number; kind: string; status: string; first_event: number }>;
    const eventTypes = (point: Point) => (database.prepare("SELECT type FROM run_events WHERE response_id = ?").all(runs.get(point)!.id) as Array<{ type: string }>).map((row) => row.type);
    // alpha: its reply logged, its tool call started and held before any effect (the step is rolled back below).
    await poll(() => steps("reply_logged"), (rows) => rows.at(-1)?.kind === "tool_call" && rows.at(-1)?.status === "running", "alpha's tool call started");
    // bravo: its tool call held after its effect, before its result.
    await poll(() => toolLines(runs.get("tool_running")!.id), (lines) => lines.length === 1, "bravo's effect");
    // charlie: its tool result logged, the next model call sent upstream and unanswered (no step for it yet).
    await poll(() => requestsOf("charlie", crashFrom).length, (count) => count === 2, "charlie's second model call");
    expect(steps("result_logged").map((step) => `${step.kind}:${step.status}`)).toEqual(["model_call:completed", "tool_call:completed"]);
    // delta: waiting for a decision.
    const deltaClient = new OpenAI({ apiKey: runs.get("awaiting_approval")!.key, baseURL: `${first.url}/v1`, maxRetries: 0 });
    await poll(() => deltaClient.responses.retrieve(runs.get("awaiting_approval")!.id) as Promise<RunView>, (response) => response.run_status === "awaiting_approval", "delta awaits approval");
    // echo: its second reply half streamed (a text delta logged as an event).
    await poll(() => eventTypes("mid_stream"), (types) => types.includes("response.output_text.delta") && types.filter((type) => type === "response.mcp_call.completed").length === 1, "echo's reply mid-stream");

    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    database.close();
    expect(toolLines(runs.get("reply_logged")!.id)).toHaveLength(0);
    // alpha: the state a kill right after its reply's commit leaves (commits are atomic: roll back the one after it,
    // the tool step's insert, and the events written after it).
    const writable = new Database(path.join(home, "aiplus.db"));
    const alphaId = runs.get("reply_logged")!.id;
    const toolStep = writable.prepare("SELECT step_index, first_event FROM run_steps WHERE response_id = ? AND kind = 'tool_call'").get(alphaId) as { step_index: number; first_event: number };
    writable.prepare("DELETE FROM run_steps WHERE response_id = ? AND step_index = ?").run(alphaId, toolStep.step_index);
    writable.prepare("DELETE FROM run_events WHERE response_id = ? AND sequence_number >= ?").run(alphaId, toolStep.first_event);
    expect((writable.prepare("SELECT kind, status FROM run_steps WHERE response_id = ?").all(alphaId) as Array<{ kind: string; status: string }>).map((step) => `${step.kind}:${step.status}`)).toEqual(["model_call:completed"]);
    writable.close();

    for (const file of fs.readdirSync(holds)) fs.rmSync(path.join(holds, file));
    script(upstream);
    const second = await spawnServer(environment);
    children.push(second);
    for (const { point, word, guarded } of points) {
      const run = runs.get(point)!;
      const client = new OpenAI({ apiKey: run.key, baseURL: `${second.url}/v1`, maxRetries: 0 });
      if (guarded) {
        await poll(() => client.responses.retrieve(run.id) as Promise<RunView>, (response) => response.run_status === "awaiting_approval", `${point} awaits approval after the restart`);
        await approveAll(client, run.id);
      }
      const done = await poll(() => client.responses.retrieve(run.id) as Promise<RunView>, isOver, `${point} ends after the restart`);
      expect({ point, status: done.status }).toEqual({ point, status: "completed" });
      expect({ point, output: normalisedOutput(done) }).toEqual({ point, output: baselines.get(point)!.output });
      expect({ point, lines: toolLines(run.id).length }).toEqual({ point, lines: 1 });

      // One ledger row per upstream call; the call cut by the kill (charlie's, echo's) is the one settled interrupted.
      const calls = requestsOf(word, crashFrom).length;
      const cut = point === "result_logged" || point === "mid_stream" ? 1 : 0;
      expect({ point, calls }).toEqual({ point, calls: baselines.get(point)!.requests + cut });
      const adminAfter = new OpenAI({ apiKey: adminKey, baseURL: `${second.url}/v1`, maxRetries: 0 });
      const rows = (await adminAfter.get<{ data: LedgerRow[] }>("/admin/usage/records", { query: { key_id: run.keyId } })).data;
      expect({ point, rows: rows.length, unique: new Set(rows.map((row) => row.id)).size }).toEqual({ point, rows: calls, unique: calls });
      expect({ point, statuses: rows.map((row) => row.status).sort() }).toEqual({ point, statuses: [...Array<string>(calls - cut).fill("ok"), ...Array<string>(cut).fill("interrupted")].sort() });
    }
    expect(upstream.rejected).toEqual([]);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
