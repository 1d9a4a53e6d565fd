import fs from "node:fs";
import type { Page } from "@playwright/test";
import { startMcpTestServer } from "../test/mcp/mcp-test-server.js";
import { startConsoleServer } from "./support/console-server.js";
import { chatModel, expect, secondChatModel, test } from "./support/fixtures.js";

// Screen 11, Agents: definitions (create, edit → version 2, export, import), running an agent and its live run page,
// the approvals inbox (approve, deny with a reason, answer a workflow's question), user-key visibility, MCP servers.

type RunView = { id: string; status: string; usage: { input_tokens: number; output_tokens: number; total_tokens: number }; cost_usd: number; steps: number };
type StepsView = { data: Array<{ kind: string; usage: { input_tokens: number; output_tokens: number } | null }> };

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const finalStates = /^(Completed|Incomplete|Failed|Cancelled)$/;
/** As the console formats numbers and dollars (en-US in the test browser). */
const integerText = (value: number) => value.toLocaleString("en-US");
const dollarsText = (value: number) => `$${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 6 : 2)}`;

async function download(page: Page, button: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  return fs.readFileSync((await file.path()), "utf8");
}

function runIdOf(page: Page): string {
  const match = /\/agents\/runs\/(resp_[0-9a-f]+)/.exec(page.url());
  if (!match) throw new Error(`not a run page: ${page.url()}`);
  return match[1]!;
}

test("creates an agent, edits it into version 2, exports it as JSON and YAML and imports it back", async ({ page, signIn, expectAccessible }) => {
  const name = `e2e-agent-${unique()}`;
  await signIn(undefined, "/console/agents");
  await expect(page.getByRole("heading", { name: "Agents", level: 1 })).toBeVisible();
  await expectAccessible();

  await page.getByRole("link", { name: "New agent" }).click();
  await expect(page.getByRole("heading", { name: "New agent" })).toBeVisible();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByRole("combobox", { name: "Model", exact: true }).fill(chatModel);
  await page.getByRole("combobox", { name: "Model", exact: true }).press("Escape");
  await page.getByLabel("Instructions").fill("Tell a short story.");
  await page.getByLabel("Max steps").fill("3");
  // Bad input: the API's validation error appears at the field it names.
  await page.getByLabel("Tools (JSON array)").fill('[{"type": "teleport"}]');
  await page.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The agent was not saved" })).toContainText("(tools[0].type)");
  await expect(page.getByText(/tool type must be "function", "mcp", "builtin" or "agent"/).first()).toBeVisible();
  await expectAccessible();
  // Not even JSON: refused before anything is sent.
  await page.getByLabel("Tools (JSON array)").fill("[oops");
  await page.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByText(/Not valid JSON/)).toBeVisible();
  await page.getByLabel("Tools (JSON array)").fill("[]");
  await page.getByRole("button", { name: "Add a rule for a tool" }).click();
  await page.getByLabel("Tool 1 name").fill("lookup");
  await page.getByRole("button", { name: "Create agent" }).click();

  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByTestId("agent-version")).toHaveText("Version 1");
  await expect(page.getByTestId("definition-json")).toContainText('"max_steps": 3');
  await expect(page.getByTestId("definition-json")).toContainText('"lookup": "always"');
  await expectAccessible();

  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByRole("heading", { name: `Edit ${name}` })).toBeVisible();
  await expect(page.getByLabel("Instructions")).toHaveValue("Tell a short story.");
  await page.getByLabel("Instructions").fill("Tell a very short story.");
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(page.getByTestId("agent-version")).toHaveText("Version 2");
  const versions = page.getByRole("table", { name: "Versions" });
  await expect(versions.getByRole("row")).toHaveCount(3);
  await expect(versions).toContainText("Version 2 (latest)");

  // Version 1 is still there as it was saved.
  await versions.getByRole("link", { name: "Version 1" }).click();
  await expect(page.getByRole("heading", { name: `${name} version 1` })).toBeVisible();
  await expect(page.getByTestId("definition-json")).toContainText('"instructions": "Tell a short story."');
  await expectAccessible();
  const versionOne = JSON.parse(await download(page, "Export JSON")) as { instructions: string };
  expect(versionOne.instructions).toBe("Tell a short story.");
  await page.getByRole("link", { name: `Back to ${name}` }).click();

  const yaml = await download(page, "Export YAML");
  expect(yaml).toContain(`name: ${name}`);
  expect(yaml).toContain("instructions: Tell a very short story.");
  const json = JSON.parse(await download(page, "Export JSON")) as { name: string; instructions: string; limits: { max_steps: number } };
  expect(json).toMatchObject({ name, instructions: "Tell a very short story.", limits: { max_steps: 3 } });

  // Import: a copy under another name is created; the same file again changes nothing; a changed file is version 3.
  await page.getByRole("link", { name: "Definitions" }).click();
  const fileInput = page.locator('input[type="file"]');
  const copy = { ...json, name: `${name}-copy` };
  await fileInput.setInputFiles({ name: `${name}-copy.agent.json`, mimeType: "application/json", buffer: Buffer.from(JSON.stringify(copy)) });
  await expect(page.getByRole("status").filter({ hasText: "Imported" })).toContainText(`${name}-copy created: version 1`);
  await fileInput.setInputFiles({ name: `${name}-copy.agent.json`, mimeType: "application/json", buffer: Buffer.from(JSON.stringify(copy)) });
  await expect(page.getByRole("status").filter({ hasText: "Imported" })).toContainText(`${name}-copy unchanged`);
  const changed = yaml.replace("instructions: Tell a very short story.", "instructions: Tell a long story.");
  await fileInput.setInputFiles({ name: `${name}.agent.yaml`, mimeType: "application/yaml", buffer: Buffer.from(changed) });
  await expect(page.getByRole("status").filter({ hasText: "Imported" })).toContainText(`${name} saved as a new version: version 3`);
  await expect(page.getByRole("table", { name: "Agents" }).getByRole("link", { name: `${name}-copy` })).toBeVisible();
  // A broken file: the API's error is shown.
  await fileInput.setInputFiles({ name: "broken.agent.yaml", mimeType: "application/yaml", buffer: Buffer.from("name: [unclosed") });
  await expect(page.getByRole("alert").filter({ hasText: "The agent file was not imported" })).toContainText("not valid YAML");
  await expectAccessible();

  // Delete with confirmation.
  await page.getByRole("table", { name: "Agents" }).getByRole("link", { name: `${name}-copy` }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: `Delete ${name}-copy` }).click();
  await expect(page.getByRole("heading", { name: "Agents", level: 1 })).toBeVisible();
  await expect(page.getByRole("table", { name: "Agents" }).getByRole("link", { name: `${name}-copy` })).toHaveCount(0);
});

test("runs an agent on a task and its run page follows the run to a final state with steps, tokens and cost", async ({ page, signIn, server, expectAccessible }) => {
  const name = `e2e-runner-${unique()}`;
  const agent = await server.request<{ id: string }>("POST", "/v1/agents", { name, model: chatModel, instructions: "Tell a story." });
  await signIn(undefined, `/console/agents/${agent.id}`);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  // Bad input: an unknown model override is the API's 400 at the field.
  await page.getByRole("textbox", { name: "Task", exact: true }).fill("Once upon a time");
  await page.getByRole("combobox", { name: "Model (optional)" }).fill("no-such-model");
  await page.getByRole("combobox", { name: "Model (optional)" }).press("Escape");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(page.getByText(/no-such-model/).first()).toBeVisible();
  await page.getByRole("combobox", { name: "Model (optional)" }).fill("");
  await page.getByLabel("Max output tokens (optional)").fill("24");
  await page.getByRole("button", { name: "Run", exact: true }).click();

  await page.waitForURL(/\/console\/agents\/runs\/resp_/);
  const runId = runIdOf(page);
  await expect(page.getByRole("heading", { name: "Run", level: 1 })).toBeVisible();
  await expect(page.getByTestId("run-state")).toHaveText(finalStates, { timeout: 60_000 });
  const run = await server.request<RunView>("GET", `/v1/runs/${runId}`);
  expect(["completed", "incomplete"]).toContain(run.status);
  expect(run.usage.total_tokens).toBeGreaterThan(0);
  await expect(page.getByTestId("run-total-tokens")).toHaveText(integerText(run.usage.total_tokens));
  await expect(page.getByTestId("run-input-tokens")).toHaveText(integerText(run.usage.input_tokens));
  await expect(page.getByTestId("run-output-tokens")).toHaveText(integerText(run.usage.output_tokens));
  await expect(page.getByTestId("run-cost")).toHaveText(dollarsText(run.cost_usd));
  const steps = await server.request<StepsView>("GET", `/v1/runs/${runId}/steps`);
  const trace = page.getByRole("list", { name: "Steps" });
  await expect(trace.getByRole("listitem")).toHaveCount(steps.data.length);
  const firstModelCall = trace.getByRole("listitem", { name: "Step 1: Model call" });
  await expect(firstModelCall).toContainText(`Model${chatModel}`);
  await expect(firstModelCall).toContainText(`Output tokens${integerText(steps.data[0]!.usage!.output_tokens)}`);
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  await expectAccessible();

  // The runs list shows it, filtered by state on the server; the agent's page lists it under its recent runs.
  await page.getByRole("link", { name: "Runs", exact: true }).click();
  await expect(page.locator(`tr[data-run-id="${runId}"]`)).toContainText(name);
  await page.getByRole("combobox", { name: "State" }).click();
  await page.getByRole("option", { name: "Failed" }).click();
  await expect(page).toHaveURL(/status=failed/);
  await expect(page.locator(`tr[data-run-id="${runId}"]`)).toHaveCount(0);
  await page.getByRole("combobox", { name: "State" }).click();
  await page.getByRole("option", { name: run.status === "completed" ? "Completed" : "Incomplete" }).click();
  await expect(page.locator(`tr[data-run-id="${runId}"]`)).toBeVisible();
  await expectAccessible();
  await page.goto(`/console/agents/${agent.id}`);
  await expect(page.getByRole("table", { name: `Recent runs of ${name}` }).locator(`tr[data-run-id="${runId}"]`)).toBeVisible();
});

test("approvals: a forced guarded tool call waits in the inbox; approve it (the open run page updates) and deny another with a reason", async ({ page, context, signIn, server, expectAccessible }) => {
  const suffix = unique();
  const helper = `helper_${suffix}`;
  const tool = `transfer_to_${helper}`;
  await server.request("POST", "/v1/agents", { name: helper, model: secondChatModel });
  const guarded = await server.request<{ id: string }>("POST", "/v1/agents", {
    name: `guarded_${suffix}`,
    model: secondChatModel,
    handoffs: [helper],
    approval: { default: "never", per_tool: { [tool]: "always" } },
    limits: { max_steps: 1 },
  });
  // The tiny model is forced (by grammar) to call the guarded handoff tool, which needs a person's approval.
  const startGuardedRun = async () => {
    await page.goto(`/console/agents/${guarded.id}`);
    await page.getByRole("textbox", { name: "Task", exact: true }).fill("Hello");
    await page.getByLabel("More request fields (JSON, optional)").fill(JSON.stringify({ tool_choice: { type: "function", name: tool } }));
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.waitForURL(/\/console\/agents\/runs\/resp_/);
    await expect(page.getByRole("heading", { name: "Run", level: 1 })).toBeVisible();
    await expect(page.getByTestId("run-state")).toHaveText("Awaiting approval", { timeout: 60_000 });
    await expect(page.getByRole("listitem", { name: `Step 2: Approval ${tool}` })).toContainText("Waiting for a decision");
    return runIdOf(page);
  };

  await signIn(undefined, "/console/agents");
  const approvedRun = await startGuardedRun();
  await expectAccessible();
  // Decide in the inbox in another tab; this run page updates by itself.
  const inbox = await context.newPage();
  await inbox.goto("/console/agents/approvals");
  await expect(inbox.getByRole("heading", { name: "Approvals", level: 1 })).toBeVisible();
  const item = inbox.getByRole("listitem").filter({ hasText: approvedRun });
  await expect(item).toContainText(`Tool call ${tool}`);
  await expectAccessible(inbox);
  await item.getByRole("button", { name: `Approve ${tool}` }).click();
  await expect(inbox.getByRole("listitem").filter({ hasText: approvedRun })).toHaveCount(0);
  await inbox.close();

  await expect(page.getByTestId("run-state")).toHaveText("Incomplete", { timeout: 60_000 });
  await expect(page.getByText("The run stopped at a limit: max_steps.")).toBeVisible();
  await expect(page.getByRole("listitem", { name: `Step 2: Approval ${tool}` })).toContainText("Approved");
  const executed = page.getByRole("listitem", { name: `Step 3: Tool call ${tool}` });
  await expect(executed.getByTestId("tool-arguments")).toHaveText("{}");
  await expect(executed.getByTestId("tool-output")).toHaveText(`Transferred to the agent '${helper}'.`);
  await expect(page.getByRole("listitem", { name: "Step 4: Handoff" })).toContainText(`to ${helper}`);

  // Deny another from the inbox (same tab) with a reason: the model gets the denial, the run goes on to its end.
  const deniedRun = await startGuardedRun();
  await page.getByRole("link", { name: /^Approvals/ }).click();
  const denied = page.getByRole("listitem").filter({ hasText: deniedRun });
  await denied.getByLabel(`Reason for denying ${tool}`).fill("not allowed today");
  await denied.getByRole("button", { name: `Deny ${tool}` }).click();
  await expect(page.getByRole("listitem").filter({ hasText: deniedRun })).toHaveCount(0);
  await page.goto(`/console/agents/runs/${deniedRun}`);
  await expect(page.getByTestId("run-state")).toHaveText("Incomplete", { timeout: 60_000 });
  const decision = page.getByRole("listitem", { name: `Step 2: Approval ${tool}` });
  await expect(decision).toContainText("Denied");
  await expect(decision).toContainText("not allowed today");
  await expect(page.getByRole("listitem", { name: `Step 3: Tool call ${tool}` }).getByTestId("tool-error")).toHaveText("Error: the call was not approved: not allowed today");
  await expectAccessible();
});

test("the inbox answers a workflow's question, checked against its schema, and the workflow run goes on (on the version it started with)", async ({ page, signIn, server }) => {
  const name = `ask-${unique()}`;
  const stepsAsking = (prompt: string) => [
    { id: "ask", type: "human_input", prompt, schema: { type: "object", properties: { ship: { type: "boolean" } }, required: ["ship"] }, next: "sum" },
    { id: "sum", type: "tool", tool: "calculator", arguments: { expression: "40+2" } },
  ];
  const workflow = await server.request<{ id: string }>("POST", "/v1/workflows", { name, steps: stepsAsking("Ship the release?") });
  // Version 2 asks another question; the run names version 1 and asks that version's.
  const updated = await server.request<{ version: number }>("POST", `/v1/workflows/${workflow.id}`, { name, steps: stepsAsking("Ship version two?") });
  expect(updated.version).toBe(2);
  const run = await server.request<{ id: string; status: string; workflow_version: number }>("POST", "/v1/workflow-runs", { workflow: { id: workflow.id, version: 1 }, inputs: {} });
  expect(run.workflow_version).toBe(1);
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await server.request<{ status: string }>("GET", `/v1/workflow-runs/${run.id}`)).status === "awaiting_input") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await signIn(undefined, "/console/agents/approvals");
  const item = page.getByRole("listitem").filter({ hasText: run.id });
  await expect(item).toContainText("Ship the release?");
  await expect(item).toContainText("(workflow version 1)");
  await expect(item).not.toContainText("Ship version two?");
  // Bad input: an answer the schema refuses is the API's 400 naming the field.
  await item.getByLabel("Answer (JSON)").fill('{"ship": "yes"}');
  await item.getByRole("button", { name: "Send the answer" }).click();
  await expect(item.getByRole("alert")).toContainText("(input.ship)");
  await item.getByLabel("Answer (JSON)").fill('{"ship": true}');
  await item.getByRole("button", { name: "Send the answer" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: run.id })).toHaveCount(0);
  let finished = { status: "", workflow_version: 0, steps: [] as Array<{ id: string; output: unknown }> };
  for (let attempt = 0; attempt < 200 && finished.status !== "completed"; attempt++) {
    finished = await server.request("GET", `/v1/workflow-runs/${run.id}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(finished.status).toBe("completed");
  expect(finished.steps.find((step) => step.id === "ask")?.output).toEqual({ ship: true });
  expect(finished.workflow_version).toBe(1);
});

test("a user key sees only its own agents and runs, no key column and no MCP servers", async ({ page, signIn, server, expectAccessible }) => {
  const user = await server.request<{ key: string; id: string }>("POST", "/v1/admin/keys", { name: `agents-user-${unique()}` });
  const mine = await server.request<{ id: string }>("POST", "/v1/agents", { name: `mine-${unique()}`, model: chatModel }, user.key);
  const theirs = await server.request<{ id: string }>("POST", "/v1/agents", { name: `theirs-${unique()}`, model: chatModel });
  const myRun = await server.request<{ id: string }>("POST", "/v1/responses", { agent: { id: mine.id }, input: "Hello", background: true, max_output_tokens: 8 }, user.key);
  const adminRun = await server.request<{ id: string }>("POST", "/v1/responses", { agent: { id: theirs.id }, input: "Hello", background: true, max_output_tokens: 8 });

  await signIn(user.key, "/console/agents/runs");
  await expect(page.getByRole("heading", { name: "Runs", level: 1 })).toBeVisible();
  await expect(page.locator(`tr[data-run-id="${myRun.id}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-run-id="${adminRun.id}"]`)).toHaveCount(0);
  await expect(page.getByRole("columnheader", { name: "Key" })).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Agents sections" }).getByRole("link", { name: "MCP servers" })).toHaveCount(0);
  await expectAccessible();

  await page.getByRole("link", { name: "Definitions" }).click();
  const agents = page.getByRole("table", { name: "Agents" });
  await expect(agents.getByRole("link", { name: /^mine-/ })).toHaveCount(1);
  await expect(agents.getByRole("link", { name: /^theirs-/ })).toHaveCount(0);
  // Another key's run is not found for this key.
  await page.goto(`/console/agents/runs/${adminRun.id}`);
  await expect(page.getByRole("alert")).toContainText("not found");
  await page.goto("/console/agents/mcp");
  await expect(page.getByText("MCP servers are registered and approved by admin keys.")).toBeVisible();
  await expectAccessible();
});

test("MCP servers: register one (a private URL is refused), see its tools' hash status, approve them, re-approve a changed one, delete it", async ({ page, expectAccessible }) => {
  const tools = await startMcpTestServer();
  // Its own aiplus: loopback MCP URLs must be allowed (AIPLUS_MCP_ALLOWED_HOSTS), which the shared server does not.
  const aiplus = await startConsoleServer({ AIPLUS_MCP_ALLOWED_HOSTS: "127.0.0.1" });
  try {
    const label = `tools${unique().replace(/[^a-z0-9]/g, "")}`.slice(0, 24);
    await page.goto(`${aiplus.url}/console/agents/mcp`);
    await page.getByLabel("API key").fill(aiplus.adminKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "MCP servers", level: 1 })).toBeVisible();
    await expect(page.getByText("No MCP server is registered.")).toBeVisible();
    await expectAccessible();

    await page.getByLabel("Label").fill(label);
    await page.getByRole("textbox", { name: "URL", exact: true }).fill("http://10.0.0.1/mcp");
    await page.getByRole("button", { name: "Register server" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "The server was not registered" })).toContainText("(url)");
    await page.getByRole("textbox", { name: "URL", exact: true }).fill(tools.url);
    await page.getByLabel("Bearer token (optional)").fill("s3cret-token");
    await page.getByRole("button", { name: "Register server" }).click();
    const servers = page.getByRole("table", { name: "MCP servers" });
    await expect(servers.getByRole("row").filter({ hasText: label })).toContainText("authorization: ****");
    await expect(page.locator("body")).not.toContainText("s3cret-token");

    await servers.getByRole("button", { name: `Tools of ${label}` }).click();
    const table = page.getByRole("table", { name: `Tools of ${label}` });
    await expect(page.getByTestId("tool-status-echo")).toHaveText("New (not approved)");
    await expect(page.getByTestId("tool-status-add")).toHaveText("New (not approved)");
    await expect(table).toContainText(`${label}__echo`);
    await expectAccessible();
    await table.getByLabel("Select echo").check();
    await page.getByRole("button", { name: "Approve selected (1)" }).click();
    await expect(page.getByTestId("tool-status-echo")).toHaveText("Approved");
    await expect(page.getByTestId("tool-status-add")).toHaveText("New (not approved)");

    // The tool changes on the server (a rug pull): its hash no longer matches the approved one.
    tools.echoDescription = "Echoes the text back, and more.";
    await page.reload();
    await expect(page.getByTestId("tool-status-echo")).toHaveText("Changed since approval");
    await page.getByRole("button", { name: "Approve all" }).click();
    await expect(page.getByTestId("tool-status-echo")).toHaveText("Approved");
    await expect(page.getByTestId("tool-status-add")).toHaveText("Approved");

    await servers.getByRole("button", { name: `Delete ${label}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: `Delete ${label}` }).click();
    await expect(page.getByText("No MCP server is registered.")).toBeVisible();
  } finally {
    await aiplus.stop();
    await tools.close();
  }
});

test("the agents screens work on a phone-sized screen in the dark theme", async ({ page, signIn, server, expectAccessible }) => {
  const name = `phone-${unique()}`;
  const agent = await server.request<{ id: string }>("POST", "/v1/agents", { name, model: chatModel, limits: { max_steps: 2 } });
  const run = await server.request<{ id: string }>("POST", "/v1/responses", { agent: { id: agent.id }, input: "Hello", background: true, max_output_tokens: 8 });
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(undefined, "/console/agents/runs");
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await expect(page.getByRole("heading", { name: "Runs", level: 1 })).toBeVisible();
  await expectAccessible();
  await page.getByRole("link", { name: /^Approvals/ }).click();
  await expect(page.getByRole("heading", { name: "Approvals", level: 1 })).toBeVisible();
  await expectAccessible();
  await page.getByRole("link", { name: "Definitions" }).click();
  await page.getByRole("link", { name: "New agent" }).click();
  await expect(page.getByRole("heading", { name: "New agent" })).toBeVisible();
  await expectAccessible();
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.goto(`/console/agents/${agent.id}`);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expectAccessible();
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.goto(`/console/agents/runs/${run.id}`);
  await expect(page.getByTestId("run-state")).toHaveText(finalStates, { timeout: 60_000 });
  await expect(page.getByRole("list", { name: "Steps" }).getByRole("listitem").first()).toBeVisible();
  await expectAccessible();
  expect(await overflow()).toBeLessThanOrEqual(0);
});
