import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { appendLineTool } from "../support/append-line-tool.js";
import { startTestServer, type TestServer } from "../support/api-server.js";

// A workflow tool call waiting for approval expires like a response run's (config approvalTtlSeconds): denied as
// "expired", the step and the run fail, the tool never runs. The deadline is durable (the step's log), so it holds
// across a restart; questions (human_input) wait until answered.
const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-workflow-expiry-"));
const toolLog = path.join(home, "tool-log.txt");
let server: TestServer | undefined;

type RunJson = { id: string; status: string; error: { code: string; message: string } | null; steps: Array<{ id: string; status: string; error: string | null }> };
type InboxItem = { id: string; kind: string; workflow_run_id?: string; created_at: number; expires_at: number | null };

async function call(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server!.url}/v1${route}`, { method, headers: { authorization: `Bearer ${server!.adminKey}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
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

async function startServer(approvalTtlSeconds: number): Promise<TestServer> {
  const started = await startTestServer({ home, approvalTtlSeconds });
  started.platform.serverTools.register({ ...appendLineTool(toolLog), name: "guarded_append", requiresApproval: true });
  return started;
}

afterAll(async () => {
  await server?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe("workflow approvals expire", () => {
  it("a tool call nobody decides is denied as expired (after a restart too); a question does not expire", async () => {
    server = await startServer(3600);
    const created = await call("POST", "/workflows", { name: "expiring", steps: [{ id: "write", type: "tool", tool: "guarded_append", arguments: { text: "late" } }] });
    const started = await call("POST", `/workflows/${created.json.id}/runs`, {});
    const question = await call("POST", "/workflows", { name: "patient", steps: [{ id: "ask", type: "human_input", prompt: "Still there?" }] });
    const asking = await call("POST", `/workflows/${question.json.id}/runs`, {});
    await settle(started.json.id, (run) => run.status === "awaiting_input");
    await settle(asking.json.id, (run) => run.status === "awaiting_input");
    const inbox = (await call("GET", "/approvals")).json.data as InboxItem[];
    const item = inbox.find((entry) => entry.workflow_run_id === started.json.id)!;
    expect(item.kind).toBe("tool_call");
    expect(item.expires_at! - item.created_at).toBeGreaterThanOrEqual(3599);
    expect(item.expires_at! - item.created_at).toBeLessThanOrEqual(3601);
    expect(inbox.find((entry) => entry.workflow_run_id === asking.json.id)).toMatchObject({ kind: "human_input", expires_at: null });

    // Restart on the same home with a 1 s time to live: the waiting call is now overdue and is denied as expired.
    await server.platform.dispose();
    server = await startServer(1);
    const done = await settle(started.json.id, (run) => run.status === "failed");
    expect(done.steps[0]).toMatchObject({ id: "write", status: "failed" });
    expect(done.steps[0]!.error).toMatch(/denied: expired/);
    expect(fs.existsSync(toolLog) ? fs.readFileSync(toolLog, "utf8") : "").not.toContain("late");
    const after = (await call("GET", "/approvals")).json.data as InboxItem[];
    expect(after.find((entry) => entry.workflow_run_id === started.json.id)).toBeUndefined();
    // Deciding it now is a conflict: it was decided (expired).
    expect((await call("POST", `/approvals/${item.id}/approve`)).status).toBe(409);
    // The question still waits, and can be answered.
    expect(after.find((entry) => entry.workflow_run_id === asking.json.id)).toMatchObject({ kind: "human_input" });
    expect((await call("GET", `/workflow-runs/${asking.json.id}`)).json.status).toBe("awaiting_input");
    expect((await call("POST", `/workflow-runs/${asking.json.id}/input`, { input: "yes" })).status).toBe(200);
    expect((await settle(asking.json.id, (run) => !["queued", "running", "awaiting_input"].includes(run.status))).status).toBe("completed");
  });
});
