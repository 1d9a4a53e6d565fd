import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetchTool, pythonTool, type ServerTool } from "../../src/server-tools/index.js";
import { postResponses } from "../api/responses-support.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream, type ScriptedRequest } from "../support/scripted-upstream.js";

// Built-in server tools: http_fetch (allow-list, private addresses, limits, redirects) and python (the bubblewrap
// sandbox, the code-execution permission), each on its own and inside a response run with the official openai client.
let site: http.Server;
let siteRequests: string[];
let origin: string;
let server: TestServer;
let upstream: ScriptedUpstream;
const model = "remote-model";

type Item = { type: string; [field: string]: any };
type RunView = Omit<OpenAIResponse, "output"> & { output: Item[] };

const context = () => ({ signal: new AbortController().signal, idempotencyKey: "test:call", caller: { keyId: "k", isAdmin: false, allowCodeExecution: true } });
const run = (tool: ServerTool, args: unknown) => tool.execute(args, context());
const toolMessage = (request: ScriptedRequest) => request.messages.at(-1)?.role === "tool";

beforeAll(async () => {
  siteRequests = [];
  site = http.createServer((request, response) => {
    siteRequests.push(request.url ?? "");
    const port = (site.address() as AddressInfo).port;
    switch (request.url) {
      case "/text":
        response.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("hello from the allowed site");
        break;
      case "/big":
        response.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(4096));
        break;
      case "/big-chunked":
        response.writeHead(200, { "content-type": "text/plain" });
        for (let index = 0; index < 8; index++) response.write("y".repeat(512));
        response.end();
        break;
      case "/binary":
        response.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from([0, 1, 2]));
        break;
      case "/redirect-ok":
        response.writeHead(302, { location: "/text" }).end();
        break;
      case "/redirect-away":
        response.writeHead(302, { location: `http://localhost:${port}/text` }).end();
        break;
      default:
        response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  upstream = await ScriptedUpstream.start();
  server = await startTestServer({ httpFetchAllowedHosts: "127.0.0.1" });
  await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
  site.closeAllConnections();
  await new Promise((resolve) => site.close(resolve));
});

describe("http_fetch", () => {
  it("fetches text from an allowed host, and follows a redirect that stays allowed", async () => {
    const tool = httpFetchTool({ allowedHosts: ["127.0.0.1"], maxBytes: 1024 });
    expect(await run(tool, { url: `${origin}/text` })).toBe("HTTP 200\ncontent-type: text/plain\n\nhello from the allowed site");
    expect(await run(tool, { url: `${origin}/redirect-ok` })).toContain("hello from the allowed site");
    expect(await run(tool, { url: `${origin}/missing` })).toContain("HTTP 404");
  });

  it("refuses hosts off the allow-list (deny-all by default) and redirects that leave it, without requesting them", async () => {
    const before = siteRequests.length;
    await expect(run(httpFetchTool({ allowedHosts: [] }), { url: `${origin}/text` })).rejects.toThrow(/not in AIPLUS_HTTP_FETCH_ALLOWED_HOSTS/);
    const port = new URL(origin).port;
    await expect(run(httpFetchTool({ allowedHosts: ["127.0.0.1"] }), { url: `http://localhost:${port}/text` })).rejects.toThrow(/may not fetch from localhost/);
    expect(siteRequests.length).toBe(before);
    await expect(run(httpFetchTool({ allowedHosts: ["127.0.0.1"] }), { url: `${origin}/redirect-away` })).rejects.toThrow(/may not fetch from localhost/);
    expect(siteRequests.slice(before)).toEqual(["/redirect-away"]);
    await expect(run(httpFetchTool({ allowedHosts: ["*"] }), { url: "file:///etc/passwd" })).rejects.toThrow(/http\(s\) URLs only/);
  });

  it("refuses loopback and private addresses unless an exact entry names them, before connecting", async () => {
    const before = siteRequests.length;
    const anyHost = httpFetchTool({ allowedHosts: ["*", "*.example.test"] });
    await expect(run(anyHost, { url: `${origin}/text` })).rejects.toThrow(/loopback or private/);
    await expect(run(anyHost, { url: "http://10.0.0.1/" })).rejects.toThrow(/loopback or private/);
    await expect(run(anyHost, { url: "http://[::ffff:169.254.169.254]/latest" })).rejects.toThrow(/loopback or private/);
    const port = new URL(origin).port;
    await expect(run(anyHost, { url: `http://localhost:${port}/text` })).rejects.toThrow(/loopback or private/);
    expect(siteRequests.length).toBe(before);
  });

  it("refuses bodies over the byte limit (declared or streamed) and non-text content", async () => {
    const tool = httpFetchTool({ allowedHosts: ["127.0.0.1"], maxBytes: 1024 });
    await expect(run(tool, { url: `${origin}/big` })).rejects.toThrow(/larger than 1024 bytes/);
    await expect(run(tool, { url: `${origin}/big-chunked` })).rejects.toThrow(/larger than 1024 bytes/);
    await expect(run(tool, { url: `${origin}/binary` })).rejects.toThrow(/text only/);
  });

  it("runs inside a response (server_tool http_fetch) with the configured allow-list", async () => {
    upstream.reset();
    upstream.on("user: Fetch the page", { toolCall: { name: "http_fetch", arguments: { url: `${origin}/text` } } });
    upstream.on(toolMessage, { text: "Fetched." });
    const response = (await server.admin.responses.create({ model, input: "Fetch the page", tools: [{ type: "server_tool", name: "http_fetch" } as never] })) as RunView;
    expect(response.status).toBe("completed");
    expect(response.output[0]).toMatchObject({ type: "mcp_call", name: "http_fetch", server_label: "aiplus", error: null });
    expect(response.output[0]!.output).toContain("hello from the allowed site");
  });
});

describe("python", () => {
  const python = pythonTool({ limits: { wallTimeMilliseconds: 20_000 } });

  it("runs a program in the sandbox and returns its output", async () => {
    expect(await run(python, { code: "print(6 * 7)" })).toBe("status: passed\nstdout:\n42\n");
    const failed = await run(python, { code: "raise SystemExit(3)" });
    expect(failed).toContain("status: failed (exit code 3)");
  });

  it("contains escape attempts: no host files, no network to the aiplus port", async () => {
    const passwd = await run(python, { code: "print(open('/etc/passwd').read())" });
    expect(passwd).not.toMatch(/root:.*:0:0:/);
    expect(passwd).toMatch(/FileNotFoundError|PermissionError/);
    const port = new URL(server.url).port;
    const connect = await run(python, {
      code: `import socket\ntry:\n  socket.create_connection(("127.0.0.1", ${port}), timeout=2)\n  print("CONNECTED")\nexcept OSError as error:\n  print("refused", type(error).__name__)`,
    });
    expect(connect).not.toContain("CONNECTED");
    expect(connect).toContain("refused");
  });

  it("refuses a caller without the code-execution permission, without running anything", async () => {
    const denied = python.execute({ code: "print(1)" }, { ...context(), caller: { keyId: "k", isAdmin: false, allowCodeExecution: false } });
    await expect(denied).rejects.toThrow(/may not execute code/);
  });

  it("inside a response: 403 on tools[i] for a key without the permission; runs for a key with it", async () => {
    const plain = await server.createKey({ name: "plain", models: [model] });
    const refused = await postResponses(server, { model, input: "Run it", tools: [{ type: "server_tool", name: "python" }] }, plain.key);
    expect([refused.status, refused.json.error.param, refused.json.error.code]).toEqual([403, "tools[0]", "code_execution_not_allowed"]);
    const coder = await server.createKey({ name: "coder", models: [model], allow_code_execution: true });
    upstream.reset();
    upstream.on("user: Compute in Python", { toolCall: { name: "python", arguments: { code: "print(sum(range(10)))" } } });
    upstream.on(toolMessage, { text: "It is 45." });
    const response = (await server.client(coder.key).responses.create({ model, input: "Compute in Python", tools: [{ type: "server_tool", name: "python" } as never] })) as RunView;
    expect(response.status).toBe("completed");
    expect(response.output[0]).toMatchObject({ type: "mcp_call", name: "python", error: null });
    expect(response.output[0]!.output).toContain("45");
  });
});

describe("code_interpreter (agents' built-in; `python` is its alias)", () => {
  it("an agent with builtin code_interpreter runs sandboxed Python for a key with the permission; 403 on agent.id without it", async () => {
    const definition = { name: "coder-agent", model, instructions: "Agent coder.", tools: [{ type: "builtin", name: "code_interpreter" }] };
    const coder = await server.createKey({ name: "agent-coder", models: [model], allow_code_execution: true });
    const agent = await server.client(coder.key).post<{ id: string }>("/agents", { body: definition });
    upstream.reset();
    upstream.on("user: Square 12 in Python", { toolCall: { name: "code_interpreter", arguments: { code: "print(12 * 12)" } } });
    upstream.on(toolMessage, { text: "It is 144." });
    const response = (await server.client(coder.key).responses.create({ agent: { id: agent.id }, input: "Square 12 in Python" } as never)) as RunView;
    expect(response.status).toBe("completed");
    expect(response.output[0]).toMatchObject({ type: "mcp_call", name: "code_interpreter", error: null });
    expect(response.output[0]!.output).toContain("status: passed\nstdout:\n144");

    const plain = await server.createKey({ name: "agent-plain", models: [model] });
    const own = await server.client(plain.key).post<{ id: string }>("/agents", { body: definition });
    const refused = await postResponses(server, { agent: { id: own.id }, input: "Square 12 in Python" }, plain.key);
    expect([refused.status, refused.json.error.param, refused.json.error.code]).toEqual([403, "agent.id", "code_execution_not_allowed"]);
  });
});

describe("python without a usable sandbox", () => {
  it("says so in the result and never runs the code unsandboxed", async () => {
    const unavailable = pythonTool({ bubblewrap: "/nonexistent/bwrap" });
    await expect(run(unavailable, { code: "open('/tmp/ran-unsandboxed', 'w')" })).rejects.toThrow(/code execution is unavailable on this server, so the code was not run/);
  });
});
