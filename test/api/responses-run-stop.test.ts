import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ServerTool } from "../../src/server-tools/index.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";

// A tool call cut by a stop (the run's job goes back to the queue) is not run again when its tool is not idempotent:
// the next start resumes the run and gives the call the error "interrupted".
const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-run-stop-"));
const effects = path.join(home, "effects.txt");
const adminKey = "aip_run_stop_admin_key_0123456789";
const servers: TestServer[] = [];
let upstream: ScriptedUpstream | undefined;
afterAll(async () => {
  for (const server of servers) await server.close().catch(() => undefined);
  await upstream?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

/** Appends a line, then works until aborted (the stop). */
const slowEffect: ServerTool = {
  name: "slow_effect",
  description: "Does something slowly.",
  parameters: { type: "object", properties: {} },
  idempotent: false,
  requiresApproval: false,
  async execute(_args, { signal }) {
    fs.appendFileSync(effects, "effect\n");
    await new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }));
    return "never";
  },
};

describe("a run stopped during a tool call", () => {
  it("resumes on the next start with an 'interrupted' result for a non-idempotent tool, never a second effect", async () => {
    upstream = await ScriptedUpstream.start();
    upstream.on("user: Do it", { toolCall: { name: "slow_effect", arguments: {} } });
    upstream.on((request) => String(request.messages.at(-1)?.content ?? "").startsWith("Error: interrupted"), { text: "It was interrupted." });
    const first = await startTestServer({ home, adminKey });
    servers.push(first);
    first.platform.serverTools.register(slowEffect);
    const admin = first.client(adminKey);
    await admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: ["remote-model"], priority: 1 } });
    const created = await admin.responses.create({ model: "remote-model", input: "Do it", tools: [{ type: "server_tool", name: "slow_effect" } as never], background: true });
    while (!fs.existsSync(effects)) await new Promise((resolve) => setTimeout(resolve, 10));
    await first.platform.dispose();

    const second = await startTestServer({ home, adminKey });
    servers.push(second);
    const restarted = second.client(adminKey);
    let done = await restarted.responses.retrieve(created.id);
    for (let attempt = 0; attempt < 400 && (done.status === "queued" || done.status === "in_progress"); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      done = await restarted.responses.retrieve(created.id);
    }
    expect(done.status).toBe("completed");
    expect(done.output[0]).toMatchObject({ type: "mcp_call", name: "slow_effect", output: null, error: expect.stringMatching(/^interrupted/) });
    expect(done.output_text).toBe("It was interrupted.");
    expect(fs.readFileSync(effects, "utf8")).toBe("effect\n");
    expect(upstream.rejected).toEqual([]);
  });
});
