import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxedStdioTransport } from "../../src/mcp/index.js";
import { sandboxAvailability } from "../../src/sandbox/index.js";

// A stdio MCP server (the SDK's McpServer + StdioServerTransport, run with this Node) inside the bubblewrap sandbox,
// reached through SandboxedStdioTransport with the SDK's Client: it works, but cannot read the host's files or reach
// the network.
const repoModules = path.resolve("node_modules");
let folder: string;
let script: string;
const clients: Client[] = [];

function stdioServerScript(): string {
  const sdk = (file: string) => JSON.stringify(pathToFileURL(path.join(repoModules, "@modelcontextprotocol/sdk/dist/esm", file)).href);
  return `
import { McpServer } from ${sdk("server/mcp.js")};
import { StdioServerTransport } from ${sdk("server/stdio.js")};
import { readFileSync } from "node:fs";
import net from "node:net";
import { z } from ${JSON.stringify(pathToFileURL(path.join(repoModules, "zod/index.js")).href)};
const server = new McpServer({ name: "sandboxed", version: "1.0.0" });
server.registerTool("echo", { description: "Echoes the text back.", inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: "text", text: "echo: " + text + " " + (process.env.GREETING ?? "") }] }));
server.registerTool("read_passwd", { description: "Reads /etc/passwd." }, async () => ({ content: [{ type: "text", text: readFileSync("/etc/passwd", "utf8") }] }));
server.registerTool("connect", { description: "Opens a TCP connection.", inputSchema: { host: z.string(), port: z.number() } }, async ({ host, port }) => {
  await new Promise((resolve, reject) => { const socket = net.connect({ host, port }, () => { socket.destroy(); resolve(undefined); }); socket.on("error", reject); });
  return { content: [{ type: "text", text: "connected" }] };
});
await server.connect(new StdioServerTransport());
`;
}

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-stdio-mcp-"));
  fs.chmodSync(folder, 0o755);
  script = path.join(folder, "server.mjs");
  fs.writeFileSync(script, stdioServerScript(), { mode: 0o644 });
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  fs.rmSync(folder, { recursive: true, force: true });
});

async function connect(): Promise<Client> {
  const client = new Client({ name: "aiplus-test", version: "1.0.0" });
  await client.connect(new SandboxedStdioTransport({ command: process.execPath, args: [script], env: { GREETING: "from-env" }, binds: [folder, repoModules] }));
  clients.push(client);
  return client;
}

const textOf = (result: Record<string, unknown>) => (result.content as Array<{ type: string; text: string }>).map((part) => part.text).join("\n");

describe("a stdio MCP server in the sandbox", () => {
  it("the sandbox is available on this host (CI installs bubblewrap)", async () => {
    expect(await sandboxAvailability()).toEqual({ available: true });
  });

  it("lists and calls its tools over the sandboxed child's stdin/stdout, with the given environment", async () => {
    const client = await connect();
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(["connect", "echo", "read_passwd"]);
    const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
    expect(textOf(result)).toBe("echo: hi from-env");
  });

  it("cannot read the host's /etc/passwd nor reach the network", async () => {
    const client = await connect();
    const passwd = await client.callTool({ name: "read_passwd", arguments: {} });
    expect(passwd.isError).toBe(true);
    expect(textOf(passwd)).toMatch(/ENOENT|EACCES/);
    for (const target of [{ host: "127.0.0.1", port: 22 }, { host: "1.1.1.1", port: 80 }]) {
      const network = await client.callTool({ name: "connect", arguments: target });
      expect(network.isError, JSON.stringify(target)).toBe(true);
      expect(textOf(network)).toMatch(/EPERM|ENETUNREACH|ECONNREFUSED|EACCES/);
    }
  });

  it("closing the client kills the sandboxed server", async () => {
    const transport = new SandboxedStdioTransport({ command: process.execPath, args: [script], binds: [folder, repoModules] });
    const client = new Client({ name: "aiplus-test", version: "1.0.0" });
    await client.connect(transport);
    let closed = false;
    client.onclose = () => (closed = true);
    await client.close();
    expect(closed).toBe(true);
    await expect(client.listTools()).rejects.toThrow();
  });
});
