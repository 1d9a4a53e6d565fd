import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendLineTool } from "../support/append-line-tool.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { jsonOf, oneLineError, runAiplus } from "./run-aiplus.js";

// `aiplus approvals` shows the same inbox as GET /v1/approvals: workflow runs' waiting steps (human_input questions
// and tool calls, ids wfappr_…) as well as response runs' tool calls; approve --input answers a question, deny
// fails a tool step. The CLI continues the workflow run itself.
let server: TestServer;

type Item = { id: string; kind: string; response_id: string | null; workflow_run_id?: string; step_id?: string; name: string | null; prompt?: string | null };
type RunJson = { id: string; status: string; steps: Array<{ id: string; status: string; output: unknown; error: string | null }> };

async function call(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1${route}`, { method, headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

async function settle(runId: string, until: (run: RunJson) => boolean): Promise<RunJson> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { json } = await call("GET", `/workflow-runs/${runId}`);
    if (until(json as RunJson)) return json as RunJson;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} did not settle`);
}

async function start(definition: unknown): Promise<string> {
  const created = await call("POST", "/workflows", definition);
  expect(created.status, JSON.stringify(created.json)).toBe(200);
  const started = await call("POST", `/workflows/${created.json.id}/runs`, { inputs: {} });
  expect(started.status, JSON.stringify(started.json)).toBe(200);
  return started.json.id as string;
}

const aiplus = (...args: string[]) => runAiplus(args, { home: server.home });

beforeAll(async () => {
  server = await startTestServer();
  server.platform.serverTools.register({ ...appendLineTool(path.join(server.home, "tool-log.txt")), name: "guarded_append", requiresApproval: true });
});
afterAll(async () => {
  await server?.close();
});

describe("aiplus approvals with workflow runs", () => {
  it("lists human_input and tool_call steps like GET /v1/approvals; approve --input answers, deny fails the tool step", async () => {
    const askRun = await start({
      name: "cli-ask",
      steps: [
        { id: "ask", type: "human_input", prompt: "Ship it?", schema: { type: "object", properties: { ship: { type: "boolean" } }, required: ["ship"] }, next: "sum" },
        { id: "sum", type: "tool", tool: "calculator", arguments: { expression: "1+1" } },
      ],
    });
    const toolRun = await start({ name: "cli-tool", steps: [{ id: "append", type: "tool", tool: "guarded_append", arguments: { text: "never" } }] });
    await settle(askRun, (run) => run.status === "awaiting_input");
    await settle(toolRun, (run) => run.steps.some((step) => step.status === "waiting"));

    const listed = jsonOf<Item[]>(await aiplus("approvals", "ls", "--json"));
    expect(listed).toEqual((await call("GET", "/approvals")).json.data);
    const question = listed.find((item) => item.workflow_run_id === askRun)!;
    const toolCall = listed.find((item) => item.workflow_run_id === toolRun)!;
    expect(question).toMatchObject({ kind: "human_input", step_id: "ask", prompt: "Ship it?", response_id: null });
    expect(question.id).toMatch(/^wfappr_/);
    expect(toolCall).toMatchObject({ kind: "tool_call", step_id: "append", name: "guarded_append" });
    const table = (await aiplus("approvals", "ls")).stdout;
    expect(table).toMatch(new RegExp(`${question.id}\\s+${askRun}\\s+ask\\s+Ship it\\?\\s+human_input`));
    expect(table).toMatch(new RegExp(`${toolCall.id}\\s+${toolRun}\\s+append/guarded_append\\s+\\{"text":"never"\\}\\s+tool_call`));

    // The input is checked against the step's schema; bad JSON is a CLI error.
    expect(oneLineError(await aiplus("approvals", "approve", question.id, "--input", '{"ship":"yes"}'))).toMatch(/^aiplus: .*ship/);
    expect(oneLineError(await aiplus("approvals", "approve", question.id, "--input", "{nope"))).toMatch(/^aiplus: .*JSON/);
    const answered = await aiplus("approvals", "approve", question.id, "--input", '{"ship":true}');
    expect([answered.code, answered.stdout]).toEqual([0, `approved ${question.id} (input of step ask); workflow run ${askRun} is completed\n`]);
    const done = await settle(askRun, (run) => run.status === "completed");
    expect(done.steps.find((step) => step.id === "ask")?.output).toEqual({ ship: true });

    const denied = await aiplus("approvals", "deny", toolCall.id, "--reason", "not today");
    expect([denied.code, denied.stdout]).toEqual([0, `denied ${toolCall.id} (guarded_append); workflow run ${toolRun} is failed\n`]);
    const failed = await settle(toolRun, (run) => run.status === "failed");
    expect(failed.steps.find((step) => step.id === "append")?.error).toContain("not today");

    expect((await aiplus("approvals", "ls")).stdout).toBe("no pending approvals\n");
    expect(oneLineError(await aiplus("approvals", "deny", toolCall.id))).toMatch(/^aiplus: Approval request '.*' was already decided/);
  }, 120_000);
});
