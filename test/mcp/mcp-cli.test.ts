import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, oneLineError, runAiplus, temporaryHome } from "../cli/run-aiplus.js";
import { startMcpTestServer, type McpTestServer } from "./mcp-test-server.js";

let home: string;
let tools: McpTestServer;
const allowLoopback = { AIPLUS_MCP_ALLOWED_HOSTS: "127.0.0.1" };

beforeAll(async () => {
  home = temporaryHome();
  tools = await startMcpTestServer();
});
afterAll(async () => {
  await tools?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus mcp", () => {
  it("refuses a loopback URL without the allow-list, adds, lists (masked), approves and removes a server", async () => {
    const refused = await runAiplus(["mcp", "add", "test", tools.url], { home });
    expect(refused.code).not.toBe(0);
    expect(oneLineError(refused)).toMatch(/^aiplus: .*loopback or private.*AIPLUS_MCP_ALLOWED_HOSTS/);
    const badLabel = await runAiplus(["mcp", "add", "Bad Label", tools.url], { home, env: allowLoopback });
    expect(oneLineError(badLabel)).toMatch(/^aiplus: label must be/);

    const added = await runAiplus(["mcp", "add", "test", tools.url, "--header", "X-Secret=s3cret", "--allow-tool", "echo"], { home, env: allowLoopback });
    expect([added.code, added.stdout]).toEqual([0, `added MCP server test (${tools.url}); review its tools with \`aiplus mcp tools test\`\n`]);
    const listed = await runAiplus(["mcp", "ls", "--json"], { home });
    expect(jsonOf(listed)).toEqual([expect.objectContaining({ object: "mcp_server", label: "test", url: tools.url, headers: { "x-secret": "****" }, allowed_tools: ["echo"], created_at: expect.any(Number) })]);
    expect(listed.stdout + (await runAiplus(["mcp", "ls"], { home })).stdout).not.toContain("s3cret");

    const fresh = jsonOf<Array<{ name: string; status: string }>>(await runAiplus(["mcp", "tools", "test", "--json"], { home, env: allowLoopback }));
    expect(fresh.map((tool) => [tool.name, tool.status]).sort()).toEqual([["add", "new"], ["echo", "new"]]);
    const approved = await runAiplus(["mcp", "tools", "test", "--approve", "echo"], { home, env: allowLoopback });
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/test__echo\s+approved\s+yes/);
    expect(approved.stdout).toMatch(/test__add\s+new\s+no/);
    const withoutAllowList = await runAiplus(["mcp", "tools", "test"], { home });
    expect(oneLineError(withoutAllowList)).toMatch(/not allowed|loopback or private/);

    expect((await runAiplus(["mcp", "rm", "test"], { home })).stdout).toBe("removed MCP server test\n");
    expect(oneLineError(await runAiplus(["mcp", "rm", "test"], { home }))).toMatch(/^aiplus: MCP server test not found/);
  }, 120_000);
});
