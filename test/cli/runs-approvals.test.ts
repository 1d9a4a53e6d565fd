import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";
import { jsonOf, oneLineError, runAiplus } from "./run-aiplus.js";

// `aiplus runs` and `aiplus approvals` against the state folder of a running server (the CLI continues approved runs
// itself, through the same service as the HTTP inbox).
let server: TestServer;
let upstream: ScriptedUpstream;
const model = "remote-model";
const guardedCalculator = { type: "server_tool", name: "calculator", require_approval: "always" } as never;

type RunView = { id: string; run_status?: string; status: string; output: Array<Record<string, unknown>> };

beforeAll(async () => {
  upstream = await ScriptedUpstream.start();
  server = await startTestServer();
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
});
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

const aiplus = (...args: string[]) => runAiplus(args, { home: server.home });

async function poll(id: string, until: (response: RunView) => boolean): Promise<RunView> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const response = (await server.admin.responses.retrieve(id)) as unknown as RunView;
    if (until(response)) return response;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`response ${id} never reached the expected state`);
}

async function pausedRun(input: string): Promise<string> {
  const created = await server.admin.responses.create({ model, input, tools: [guardedCalculator], background: true });
  await poll(created.id, (response) => response.run_status === "awaiting_approval");
  return created.id;
}

describe("aiplus approvals", () => {
  it("lists pending approvals, approves one and denies another (the same denial as the HTTP inbox); the runs go on", async () => {
    upstream.on("user: Add one and two", { toolCall: { name: "calculator", arguments: { expression: "1+2" } } });
    upstream.on("tool: 3", { text: "It is 3." });
    upstream.on("user: Add three and four", { toolCall: { name: "calculator", arguments: { expression: "3+4" } } });
    upstream.on("tool: Error: the call was not approved: not now", { text: "I was not allowed." });
    const approvedRun = await pausedRun("Add one and two");
    const deniedRun = await pausedRun("Add three and four");

    const listed = jsonOf<Array<{ id: string; response_id: string; name: string; status: string }>>(await aiplus("approvals", "ls", "--json"));
    const toApprove = listed.find((approval) => approval.response_id === approvedRun)!;
    const toDeny = listed.find((approval) => approval.response_id === deniedRun)!;
    expect(toApprove).toMatchObject({ name: "calculator", status: "pending" });
    expect(toDeny).toMatchObject({ name: "calculator", status: "pending" });
    const table = await aiplus("approvals", "ls");
    expect(table.stdout).toMatch(new RegExp(`${toApprove.id}\\s+${approvedRun}\\s+aiplus/calculator`));

    const approved = await aiplus("approvals", "approve", toApprove.id);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toBe(`approved ${toApprove.id} (calculator); run ${approvedRun} is completed\n`);
    const approvedDone = await poll(approvedRun, (response) => response.status === "completed");
    expect(approvedDone.output.map((item) => item.type)).toEqual(["mcp_approval_request", "mcp_call", "message"]);
    expect(approvedDone.output[1]).toMatchObject({ output: "3", error: null, approval_request_id: toApprove.id });

    const denied = await aiplus("approvals", "deny", toDeny.id, "--reason", "not now");
    expect(denied.code).toBe(0);
    expect(denied.stdout).toBe(`denied ${toDeny.id} (calculator); run ${deniedRun} is completed\n`);
    const deniedDone = await poll(deniedRun, (response) => response.status === "completed");
    expect(deniedDone.output[1]).toMatchObject({ type: "mcp_call", output: null, error: "the call was not approved: not now", approval_request_id: toDeny.id });
    expect(upstream.rejected).toEqual([]);
    expect((await aiplus("approvals", "ls")).stdout).toBe("no pending approvals\n");

    // Deciding again, or an unknown id: one line and a non-zero exit.
    const again = await aiplus("approvals", "approve", toApprove.id);
    expect(again.code).toBe(1);
    expect(oneLineError(again)).toBe(`aiplus: Approval request '${toApprove.id}' was already decided (approved).`);
    const unknown = await aiplus("approvals", "deny", "mcpr_unknown");
    expect(unknown.code).toBe(1);
    expect(oneLineError(unknown)).toBe("aiplus: Approval request with id 'mcpr_unknown' not found.");
    const longReason = await aiplus("approvals", "deny", toDeny.id, "--reason", "x".repeat(1001));
    expect(longReason.code).toBe(2);
    expect(oneLineError(longReason)).toMatch(/reason.*at most 1000 characters/);

    // The trace shows the approval and its decision.
    const tree = await aiplus("runs", "trace", approvedRun);
    expect(tree.code).toBe(0);
    const lines = tree.stdout.trimEnd().split("\n");
    expect(lines.map((line) => line.replace(/ {2}\d+ ms.*$/, ""))).toEqual([
      `response ${approvedRun}`,
      `  chat ${model}`,
      "  approval calculator",
      "  execute_tool calculator",
      `  chat ${model}`,
    ]);
    expect(lines[1]).toMatch(/^ {2}chat remote-model {2}\d+ ms {2}tokens 10 in \/ 5 out {2}\$\d+\.\d{6}$/);
    expect(lines[0]).toMatch(/tokens 20 in \/ 10 out/);
  });
});

describe("aiplus runs", () => {
  it("lists, shows, traces and cancels runs; bad input is one line", async () => {
    upstream.on("user: Take all the time you need", { hold: true });
    const held = await server.admin.responses.create({ model, input: "Take all the time you need", background: true });
    await poll(held.id, (response) => response.run_status === "running");

    const all = jsonOf<Array<{ id: string; status: string; steps: number }>>(await aiplus("runs", "ls", "--json"));
    expect(all[0]).toMatchObject({ id: held.id, object: "run", status: "running" });
    expect(all.length).toBeGreaterThanOrEqual(3);
    const completed = jsonOf<Array<{ id: string; status: string; created_at: number }>>(await aiplus("runs", "ls", "--status", "completed", "--json"));
    expect(completed.length).toBeGreaterThanOrEqual(2);
    expect(completed.every((run) => run.status === "completed" && Number.isInteger(run.created_at))).toBe(true);
    const table = await aiplus("runs", "ls");
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+STATUS\s+MODEL\s+STEPS\s+TOKENS\s+COST\s+CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`${held.id}\\s+running\\s+${model}`));

    const shown = await aiplus("runs", "show", completed[0]!.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^status: +completed$/m);
    expect(shown.stdout).toMatch(/^steps: +4 \(2 model calls, 1 tool calls, 0 pending approvals\)$/m);
    expect(shown.stdout).toMatch(/^tokens: +20 in \/ 10 out$/m);

    const cancelled = await aiplus("runs", "cancel", held.id);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toBe(`cancelled run ${held.id} (cancelled)\n`);
    expect((await server.admin.responses.retrieve(held.id)).status).toBe("cancelled");
    expect((await aiplus("runs", "cancel", held.id)).stdout).toBe(`run ${held.id} had already ended (cancelled); nothing to cancel\n`);
    const trace = jsonOf<{ run_id: string; spans: Array<{ name: string; status: string; status_message: string | null }> }>(await aiplus("runs", "trace", held.id, "--json"));
    expect(trace.run_id).toBe(held.id);
    expect(trace.spans[0]).toMatchObject({ name: `response ${held.id}`, status: "unset", status_message: "cancelled" });

    const missing = await aiplus("runs", "show", "resp_missing");
    expect(missing.code).toBe(1);
    expect(oneLineError(missing)).toBe("aiplus: run resp_missing not found");
    expect(oneLineError(await aiplus("runs", "trace", "resp_missing"))).toBe("aiplus: run resp_missing not found");
    expect(oneLineError(await aiplus("runs", "cancel", "resp_missing"))).toBe("aiplus: run resp_missing not found");
    const badStatus = await aiplus("runs", "ls", "--status", "done");
    expect(badStatus.code).toBe(2);
    expect(oneLineError(badStatus)).toMatch(/--status.*done.*(queued|Allowed choices)/);
    const badLimit = await aiplus("runs", "ls", "--limit", "500");
    expect(badLimit.code).toBe(2);
    expect(oneLineError(badLimit)).toMatch(/--limit.*1 to 100/);
  });
});
