/**
 * The agent loop half of bench:agents, on a scripted OpenAI-compatible upstream (test/support/scripted-upstream.ts):
 * - step overhead: a 2-step server-tool run (model → calculator → model) through POST /v1/responses, against the two
 *   equivalent direct POST /v1/chat/completions calls (same messages, same metered path, same upstream) measured in
 *   the same iteration; overhead per step = (run time − both direct calls' time) / 2, p50 over the iterations. Also
 *   the durability cost: log writes per step (run event inserts + step rows written twice, started and completed +
 *   the response's own commits), counted from the run's rows in the store.
 * - resume: a server process (test/support/server-process.ts) runs a tool that holds after its side effect; kill -9;
 *   restart; the run must complete with the transcript of an uninterrupted run and the side effect once.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import OpenAI from "openai";
import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { startTestServer } from "../test/support/api-server.js";
import { ScriptedUpstream } from "../test/support/scripted-upstream.js";
import { spawnServer, type ServerProcess } from "../test/support/spawn-server.js";

const model = "remote-model";
const median = (values: number[]) => {
  const sorted = [...values].sort((first, second) => first - second);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * p50s over the iterations: `overheadMs` per step of wall time (the figure), `cpuOverheadMs` the same difference in
 * this process's CPU time (server, upstream and client share it; steadier on a loaded machine).
 */
export type StepOverhead = { overheadMs: number; cpuOverheadMs: number; runMs: number; directMs: number; logWritesPerStep: number; iterations: number };

/** Runs `iterations` 2-step tool runs and their direct chat equivalents; p50 of the per-step difference. */
export async function measureStepOverhead(iterations: number): Promise<StepOverhead> {
  const upstream = await ScriptedUpstream.start();
  upstream.on("user: What is 6*7?", { toolCall: { name: "calculator", arguments: { expression: "6*7" }, id: "call_bench" } });
  upstream.on("tool: 42", { text: "6*7 is 42." });
  const server = await startTestServer();
  try {
    await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
    const calculator = { type: "function", function: { name: "calculator", description: "Evaluates an arithmetic expression.", parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] } } };
    const first = [{ role: "user", content: "What is 6*7?" }];
    const second = [
      ...first,
      { role: "assistant", content: null, tool_calls: [{ id: "call_bench", type: "function", function: { name: "calculator", arguments: '{"expression":"6*7"}' } }] },
      { role: "tool", tool_call_id: "call_bench", content: "42" },
    ];
    const post = async (route: string, body: unknown) => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const response = await fetch(`${server.url}/v1/${route}`, { method: "POST", headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      const text = await response.text();
      if (!response.ok) throw new Error(`${route}: ${response.status} ${text}`);
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, text };
    };
    const direct = async () => {
      const one = await post("chat/completions", { model, messages: first, tools: [calculator], stream: true });
      const two = await post("chat/completions", { model, messages: second, tools: [calculator], stream: true });
      return { ms: one.ms + two.ms, cpuMs: one.cpuMs + two.cpuMs };
    };
    const run = async () => {
      const { ms, cpuMs, text } = await post("responses", { model, input: "What is 6*7?", tools: [{ type: "server_tool", name: "calculator" }] });
      const response = JSON.parse(text) as { id: string; status: string; output_text?: string };
      if (response.status !== "completed") throw new Error(`the run ended ${response.status}`);
      return { ms, cpuMs, id: response.id };
    };
    for (let warm = 0; warm < 5; warm++) {
      await direct();
      await run();
    }
    const perStep: number[] = [];
    const cpuPerStep: number[] = [];
    const runs: number[] = [];
    const directs: number[] = [];
    const ids: string[] = [];
    for (let iteration = 0; iteration < iterations; iteration++) {
      // Alternate the order so drift (caches, GC) does not favour one side.
      const [directCalls, ran] = iteration % 2 === 0 ? [await direct(), await run()] : await run().then(async (result) => [await direct(), result] as const);
      perStep.push((ran.ms - directCalls.ms) / 2);
      cpuPerStep.push((ran.cpuMs - directCalls.cpuMs) / 2);
      runs.push(ran.ms);
      directs.push(directCalls.ms);
      ids.push(ran.id);
    }
    return {
      overheadMs: median(perStep),
      cpuOverheadMs: median(cpuPerStep),
      runMs: median(runs),
      directMs: median(directs),
      logWritesPerStep: logWritesPerStep(path.join(server.home, "aiplus.db"), ids),
      iterations,
    };
  } finally {
    await server.close();
    await upstream.stop();
  }
}

/**
 * Write statements of the run log per step (a step: a model call or a tool call): every event is one insert, every
 * step row is written when it starts and when it completes, every response commit (running, finished) is one more.
 */
function logWritesPerStep(file: string, responseIds: string[]): number {
  const database = new Database(file, { readonly: true });
  try {
    let writes = 0;
    let steps = 0;
    for (const id of responseIds) {
      const events = (database.prepare("SELECT count(*) AS n FROM run_events WHERE response_id = ?").get(id) as { n: number }).n;
      const stepRows = database.prepare("SELECT kind FROM run_steps WHERE response_id = ?").all(id) as Array<{ kind: string }>;
      const started = stepRows.filter((row) => row.kind !== "approval").length;
      writes += events + 2 * started + (stepRows.length - started) + 2;
      steps += started;
    }
    return steps === 0 ? Number.NaN : writes / steps;
  } finally {
    database.close();
  }
}

type RunView = OpenAIResponse & { run_status?: string };

/** 1 when a run killed (kill -9) during its tool call resumes after a restart to an uninterrupted run's transcript. */
export async function measureResume(): Promise<{ ok: boolean; detail: string }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-bench-resume-"));
  const toolLog = path.join(home, "tool-log.txt");
  const holds = path.join(home, "holds");
  fs.mkdirSync(holds);
  const adminKey = "aip_bench_resume_admin_key_0123456789";
  const environment = { AIPLUS_HOME: home, AIPLUS_ADMIN_KEY: adminKey, AIPLUS_THREADS: "1", AIPLUS_GPU: "cpu", AIPLUS_LOG_LEVEL: "error", AIPLUS_TEST_TOOL_LOG: toolLog, AIPLUS_TEST_TOOL_HOLD: holds };
  const upstream = await ScriptedUpstream.start();
  upstream.on("user: Log resume", { toolCall: { name: "gated_append", arguments: { text: "resume" } } });
  upstream.on("tool: appended: resume", { text: "Logged it." });
  const children: ServerProcess[] = [];
  const poll = async (client: OpenAI, id: string) => {
    for (let attempt = 0; attempt < 1200; attempt++) {
      const response = (await client.responses.retrieve(id)) as RunView;
      if (response.status !== "queued" && response.status !== "in_progress") return response;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`response ${id} did not end`);
  };
  const transcript = (response: RunView) => JSON.stringify(response.output.map((item) => ({ ...item, id: undefined })));
  const lines = (id: string) => (fs.existsSync(toolLog) ? fs.readFileSync(toolLog, "utf8").split("\n").filter((line) => line.includes(id)).length : 0);
  try {
    const first = await spawnServer(environment);
    children.push(first);
    const client = new OpenAI({ apiKey: adminKey, baseURL: `${first.url}/v1`, maxRetries: 0 });
    await client.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
    const tools = [{ type: "server_tool", name: "gated_append" } as never];
    const baseline = await poll(client, (await client.responses.create({ model, input: "Log resume", tools, background: true })).id);
    fs.writeFileSync(path.join(holds, "resume.after"), "");
    const crashed = await client.responses.create({ model, input: "Log resume", tools, background: true });
    for (let attempt = 0; attempt < 1200 && lines(crashed.id) === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill("SIGKILL");
    await first.exited;
    fs.rmSync(path.join(holds, "resume.after"));
    const second = await spawnServer(environment);
    children.push(second);
    const resumed = await poll(new OpenAI({ apiKey: adminKey, baseURL: `${second.url}/v1`, maxRetries: 0 }), crashed.id);
    const ok = baseline.status === "completed" && resumed.status === "completed" && transcript(resumed) === transcript(baseline) && lines(crashed.id) === 1 && upstream.rejected.length === 0;
    return { ok, detail: `baseline ${baseline.status}, resumed ${resumed.status}, same transcript ${transcript(resumed) === transcript(baseline)}, side effects ${lines(crashed.id)}` };
  } finally {
    for (const child of children) {
      if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill("SIGKILL");
      await child.exited;
    }
    await upstream.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
