import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, oneLineError, runAiplus, temporaryHome } from "../cli/run-aiplus.js";
import { startTestServer, type TestServer } from "../support/api-server.js";

// stdio MCP servers registered by an admin (API and CLI), run in the bubblewrap sandbox: listed, approved by hash and
// called like HTTP servers; their env values are never shown back; non-admin keys cannot register them.
const repoModules = path.resolve("node_modules");
let folder: string;
let script: string;
let server: TestServer;
let bob: { id: string; key: string };
let home: string;

function stdioServerScript(): string {
  const sdk = (file: string) => JSON.stringify(pathToFileURL(path.join(repoModules, "@modelcontextprotocol/sdk/dist/esm", file)).href);
  return `
import { McpServer } from ${sdk("server/mcp.js")};
import { StdioServerTransport } from ${sdk("server/stdio.js")};
import { z } from ${JSON.stringify(pathToFileURL(path.join(repoModules, "zod/index.js")).href)};
const server = new McpServer({ name: "stdio-test", version: "1.0.0" });
server.registerTool("echo", { description: "Echoes the text back.", inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: "text", text: "echo: " + text + " " + (process.env.GREETING ?? "") }] }));
server.registerTool("whoami", { description: "Says whether the host's files are visible." }, async () => ({ content: [{ type: "text", text: String((await import("node:fs")).existsSync("/etc/passwd")) }] }));
await server.connect(new StdioServerTransport());
`;
}

async function call(key: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}
const admin = (method: string, route: string, body?: unknown) => call(server.adminKey, method, route, body);
const textOf = (result: { content: Array<{ text: string }> }) => result.content.map((part) => part.text).join("\n");

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-stdio-registry-"));
  fs.chmodSync(folder, 0o755);
  script = path.join(folder, "server.mjs");
  fs.writeFileSync(script, stdioServerScript(), { mode: 0o644 });
  server = await startTestServer();
  bob = await server.createKey({ name: "bob" });
  home = temporaryHome();
}, 60_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(folder, { recursive: true, force: true });
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe("stdio MCP servers (admin API)", () => {
  const body = () => ({ label: "local", transport: "stdio", command: process.execPath, args: [script], env: { GREETING: "s3cret-greeting" }, binds: [folder, repoModules] });

  it("only admin keys may register one (403 otherwise); bad input is a 400 naming the param", async () => {
    const refused = await call(bob.key, "POST", "/v1/admin/mcp/servers", body());
    expect([refused.status, refused.body.error.type]).toEqual([403, "permission_error"]);
    const relative = await admin("POST", "/v1/admin/mcp/servers", { ...body(), command: "node" });
    expect([relative.status, relative.body.error.param]).toEqual([400, "command"]);
    const badEnv = await admin("POST", "/v1/admin/mcp/servers", { ...body(), env: { "BAD NAME": "x" } });
    expect([badEnv.status, badEnv.body.error.param]).toEqual([400, "env"]);
    const badBind = await admin("POST", "/v1/admin/mcp/servers", { ...body(), binds: ["relative/dir"] });
    expect([badBind.status, badBind.body.error.param]).toEqual([400, "binds"]);
    const commandOnHttp = await admin("POST", "/v1/admin/mcp/servers", { label: "mixed", transport: "streamable-http", url: "https://example.com/mcp", command: process.execPath });
    expect([commandOnHttp.status, commandOnHttp.body.error.param]).toEqual([400, "command"]);
    expect((await admin("GET", "/v1/admin/mcp/servers")).body.data).toEqual([]);
  });

  it("registers (env masked), lists its tools live, approves by hash and calls them in the sandbox", async () => {
    const created = await admin("POST", "/v1/admin/mcp/servers", body());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: "mcp_server", label: "local", url: null, transport: "stdio", command: process.execPath, args: [script], env: { GREETING: "****" }, binds: [folder, repoModules] });
    const shown = await admin("GET", "/v1/admin/mcp/servers/local");
    expect(shown.text + (await admin("GET", "/v1/admin/mcp/servers")).text).not.toContain("s3cret-greeting");

    const listed = await admin("GET", "/v1/admin/mcp/servers/local/tools");
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((tool: { name: string; status: string }) => [tool.name, tool.status]).sort()).toEqual([["echo", "new"], ["whoami", "new"]]);
    const unapproved = await admin("POST", "/v1/mcp/tools/call", { name: "local__echo", arguments: { text: "hi" } });
    expect([unapproved.status, unapproved.body.error.code]).toEqual([409, "mcp_tool_not_approved"]);

    const approved = await admin("POST", "/v1/admin/mcp/servers/local/tools/approve", { all: true });
    expect(approved.body.data.every((tool: { status: string }) => tool.status === "approved")).toBe(true);
    const echoed = await admin("POST", "/v1/mcp/tools/call", { name: "local__echo", arguments: { text: "hi" } });
    expect([echoed.status, textOf(echoed.body)]).toEqual([200, "echo: hi s3cret-greeting"]);
    const sandboxed = await admin("POST", "/v1/mcp/tools/call", { name: "local__whoami", arguments: {} });
    expect(textOf(sandboxed.body)).toBe("false");

    // A non-admin key sees and calls nothing until granted; then it may call the granted tool.
    expect((await call(bob.key, "GET", "/v1/mcp/tools")).body.data).toEqual([]);
    expect((await admin("POST", "/v1/admin/mcp/servers/local/grants", { key_id: bob.id, tools: ["echo"] })).status).toBe(201);
    const bobTools = await call(bob.key, "GET", "/v1/mcp/tools");
    expect(bobTools.body.data.map((tool: { namespaced_name: string }) => tool.namespaced_name)).toEqual(["local__echo"]);
    const bobCall = await call(bob.key, "POST", "/v1/mcp/tools/call", { name: "local__echo", arguments: { text: "bob" } });
    expect([bobCall.status, textOf(bobCall.body)]).toEqual([200, "echo: bob s3cret-greeting"]);
  }, 60_000);
});

describe("aiplus mcp add --command (stdio)", () => {
  it("adds a stdio server (env never printed), lists and approves its tools", async () => {
    const neither = await runAiplus(["mcp", "add", "local"], { home });
    expect(oneLineError(neither)).toMatch(/^aiplus: .*give a URL or --command/);
    const added = await runAiplus(["mcp", "add", "local", "--command", process.execPath, "--arg", script, "--bind", folder, "--bind", repoModules, "--env", "GREETING=cli-s3cret"], { home });
    expect([added.code, added.stdout]).toEqual([0, `added MCP server local (stdio: ${process.execPath}); review its tools with \`aiplus mcp tools local\`\n`]);
    const listed = await runAiplus(["mcp", "ls", "--json"], { home });
    expect(jsonOf(listed)).toEqual([
      expect.objectContaining({ object: "mcp_server", label: "local", url: null, transport: "stdio", command: process.execPath, args: [script], env: { GREETING: "****" }, binds: [folder, repoModules] }),
    ]);
    expect(listed.stdout + (await runAiplus(["mcp", "ls"], { home })).stdout).not.toContain("cli-s3cret");
    const fresh = jsonOf<Array<{ name: string; status: string }>>(await runAiplus(["mcp", "tools", "local", "--json"], { home }));
    expect(fresh.map((tool) => [tool.name, tool.status]).sort()).toEqual([["echo", "new"], ["whoami", "new"]]);
    const approved = await runAiplus(["mcp", "tools", "local", "--approve", "echo"], { home });
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/local__echo\s+approved\s+yes/);
  }, 120_000);
});
