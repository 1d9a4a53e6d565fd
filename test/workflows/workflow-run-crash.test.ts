import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";

// A workflow run survives kill -9: the next start resumes it from its step log; finished steps are not run again.
const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-workflow-crash-"));
const adminKey = "aip_workflow_crash_admin_key_0123456789";
const environment = { AIPLUS_HOME: home, AIPLUS_ADMIN_KEY: adminKey, AIPLUS_THREADS: "1", AIPLUS_GPU: "cpu", AIPLUS_LOG_LEVEL: "warn" };
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

async function call(url: string, method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}/v1${route}`, { method, headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(JSON.stringify(json));
  return json;
}

describe("workflow runs across kill -9", () => {
  it("resumes after a restart without re-running finished steps", async () => {
    upstream = await ScriptedUpstream.start();
    upstream.on("user: first", { text: "one" });
    upstream.on("user: second after one", { hold: true });
    upstream.on("user: third after two", { text: "three" });

    const first = await spawnServer(environment);
    children.push(first);
    await call(first.url, "POST", "/admin/providers", { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: ["remote-model"], priority: 1 });
    const workflow = await call(first.url, "POST", "/workflows", {
      name: "three-steps",
      steps: [
        { id: "a", type: "llm", model: "remote-model", prompt: "first", next: "b" },
        { id: "b", type: "llm", model: "remote-model", prompt: "second after {{steps.a.output}}", next: "c" },
        { id: "c", type: "llm", model: "remote-model", prompt: "third after {{steps.b.output}}" },
      ],
    });
    const run = await call(first.url, "POST", `/workflows/${workflow.id}/runs`, { inputs: {} });
    await upstream.waitForRequests(2);
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");

    upstream.on("user: second after one", { text: "two" });
    const second = await spawnServer(environment);
    children.push(second);
    let done: any;
    for (let attempt = 0; attempt < 600; attempt++) {
      done = await call(second.url, "GET", `/workflow-runs/${run.id}`);
      if (!["queued", "running"].includes(done.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(done.status, JSON.stringify(done)).toBe("completed");
    expect(done.output).toBe("three");
    const prompts = upstream.requests.map((request) => request.messages.at(-1)?.content);
    // `a` finished before the kill: never asked again; `b` was cut: asked again once; `c` once.
    expect(prompts).toEqual(["first", "second after one", "second after one", "third after two"]);
    expect(done.steps.find((step: { id: string }) => step.id === "b").attempts).toBe(2);
    expect(done.steps.find((step: { id: string }) => step.id === "a").attempts).toBe(1);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });

  it("an agent step resumed after kill -9 waits for the agent run it logged instead of starting the agent again", async () => {
    const agentUpstream = await ScriptedUpstream.start();
    try {
      agentUpstream.on("user: Do the crash task", { hold: true });
      const first = await spawnServer(environment);
      children.push(first);
      await call(first.url, "POST", "/admin/providers", { name: "agent-scripted", base_url: agentUpstream.baseUrl, api_key: "sk-up", models: ["agent-model"], priority: 1 });
      const agent = await call(first.url, "POST", "/agents", { name: "crash-agent", model: "agent-model", instructions: "Agent crash-agent." });
      const workflow = await call(first.url, "POST", "/workflows", { name: "agent-crash", steps: [{ id: "work", type: "agent", agent: "crash-agent", input: "Do the crash task" }] });
      const run = await call(first.url, "POST", `/workflows/${workflow.id}/runs`, { inputs: {} });
      await agentUpstream.waitForRequests(1);
      const logged = (await call(first.url, "GET", `/workflow-runs/${run.id}`)).steps[0];
      expect(logged.output.response_id).toMatch(/^resp_/);
      first.child.kill("SIGKILL");
      expect(await first.exited).toBe("SIGKILL");

      agentUpstream.on("user: Do the crash task", { text: "crash task done" });
      const second = await spawnServer(environment);
      children.push(second);
      let done: any;
      for (let attempt = 0; attempt < 600; attempt++) {
        done = await call(second.url, "GET", `/workflow-runs/${run.id}`);
        if (!["queued", "running"].includes(done.status)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(done.status, JSON.stringify(done)).toBe("completed");
      expect(done.output).toBe("crash task done");
      // The cut call once, then the same agent run resumed once; a second agent run would have asked again.
      expect(agentUpstream.requests.filter((request) => request.messages.at(-1)?.content === "Do the crash task")).toHaveLength(2);
      const child = await call(second.url, "GET", `/responses/${logged.output.response_id}`);
      expect([child.status, child.agent?.id]).toEqual(["completed", agent.id]);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      await agentUpstream.stop();
    }
  });
});
