import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { ConflictError, InvalidRequestError, NotFoundError, PermissionDeniedError } from "../spec/index.js";
import type { DatabaseExecutor } from "../store/index.js";
import { AddressPolicy, type LookupAll } from "./address-policy.js";
import { guardedFetch } from "./guarded-fetch.js";
import { openMcpSession, type McpSession } from "./mcp-client.js";
import { SandboxedStdioTransport } from "./stdio/sandboxed-stdio-transport.js";
import { createMcpRegistry, type McpRegistry } from "./mcp-registry.js";
import { namespacedToolName, splitNamespacedToolName } from "./namespaced-tool-name.js";
import { toolHash } from "./tool-hash.js";
import type { McpCaller, McpGrant, McpServerRecord, McpToolApproval, McpToolResult, McpToolView } from "./types.js";

/** Options of {@link McpService}. */
export type McpServiceOptions = {
  database: DatabaseExecutor;
  /** Config `mcpAllowedHosts`: hosts, addresses and CIDRs that may be loopback or private. */
  allowedHosts: readonly string[];
  /** Hostname resolution for the URL check. Defaults to `dns.lookup` with `all: true`. */
  lookup?: LookupAll | undefined;
  /** Timeout of each request to an MCP server. Defaults to 30000 ms. */
  timeoutMs?: number | undefined;
  /** Clock in ms. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
};

/** What an admin registers: a Streamable HTTP `url`, or (`transport: "stdio"`) a `command` run in the sandbox. */
export type AddMcpServerInput = {
  label: string;
  url?: string | undefined;
  transport?: string | undefined;
  /** stdio: absolute path of the program, with its arguments, environment (secrets) and read-only host folders. */
  command?: string | undefined;
  args?: string[] | undefined;
  env?: Record<string, string> | undefined;
  binds?: string[] | undefined;
  headers?: Record<string, string> | undefined;
  /** Sent as `Authorization: Bearer …`. */
  bearerToken?: string | undefined;
  allowedTools?: string[] | undefined;
};

/** Labels are `[a-z0-9_-]`, 1-32 characters, without `__` (the namespace separator) or a trailing `_`. */
const labelPattern = /^[a-z0-9](?:[a-z0-9-]|_(?!_|$)){0,31}$/;
const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The MCP client side of aiplus: a registry of MCP servers whose tools keys may use, namespaced `label__tool`. Every
 * tool must be approved by its hash (name, description, input schema); a tool that changed since is not callable
 * until re-approved (409 `mcp_tool_changed`). Non-admin keys list and call only what they were granted.
 */
export class McpService {
  readonly registry: McpRegistry;
  readonly policy: AddressPolicy;
  private readonly fetch: typeof globalThis.fetch;

  constructor(private readonly options: McpServiceOptions) {
    this.registry = createMcpRegistry(options.database, { now: options.now });
    this.policy = new AddressPolicy(options.allowedHosts, options.lookup);
    this.fetch = guardedFetch(this.policy);
  }

  /** Registers a server after checking its label, transport, headers and URL (the URL check connects to nothing). */
  async addServer(input: AddMcpServerInput): Promise<McpServerRecord> {
    if (!labelPattern.test(input.label)) {
      throw new InvalidRequestError({ message: "label must be 1-32 characters of a-z, 0-9, '_' or '-', without '__' or a trailing '_'", param: "label" });
    }
    const transport = input.transport ?? (input.command !== undefined ? "stdio" : "streamable-http");
    if (transport === "stdio") return this.addStdioServer(input);
    if (transport !== "streamable-http") throw new InvalidRequestError({ message: "transport must be streamable-http or stdio", param: "transport" });
    for (const [field, value] of [["command", input.command], ["args", input.args], ["env", input.env], ["binds", input.binds]] as const) {
      if (value !== undefined) throw new InvalidRequestError({ message: `${field} is only for stdio servers`, param: field });
    }
    if (input.url === undefined) throw new InvalidRequestError({ message: "url must be an http(s) URL", param: "url" });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.headers ?? {})) {
      if (!headerNamePattern.test(name) || /[\r\n\0]/.test(value)) throw new InvalidRequestError({ message: `invalid header ${JSON.stringify(name)}`, param: "headers" });
      headers[name.toLowerCase()] = value;
    }
    if (input.bearerToken !== undefined) headers.authorization = `Bearer ${input.bearerToken}`;
    await this.policy.assertUrlAllowed(input.url);
    return this.registry.addServer({ label: input.label, url: input.url, transport, headers, allowedTools: input.allowedTools });
  }

  /** A stdio server: started per session in the bubblewrap sandbox (no network, read-only `binds`), never unsandboxed. */
  private async addStdioServer(input: AddMcpServerInput): Promise<McpServerRecord> {
    if (input.url !== undefined) throw new InvalidRequestError({ message: "url is not used by stdio servers", param: "url" });
    if (input.headers !== undefined || input.bearerToken !== undefined) throw new InvalidRequestError({ message: "headers are not used by stdio servers; pass secrets in env", param: "headers" });
    const absolute = (file: string) => file.startsWith("/") && !file.includes("\0");
    if (input.command === undefined || !absolute(input.command)) throw new InvalidRequestError({ message: "command must be an absolute path of the program", param: "command" });
    const args = input.args ?? [];
    if (args.some((arg) => arg.includes("\0"))) throw new InvalidRequestError({ message: "args must not contain NUL", param: "args" });
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.env ?? {})) {
      if (!envNamePattern.test(name) || value.includes("\0")) throw new InvalidRequestError({ message: `invalid environment variable ${JSON.stringify(name)}`, param: "env" });
      env[name] = value;
    }
    const binds = input.binds ?? [];
    if (!binds.every(absolute)) throw new InvalidRequestError({ message: "binds must be absolute folder paths", param: "binds" });
    return this.registry.addServer({ label: input.label, url: "", transport: "stdio", headers: {}, stdio: { command: input.command, args, env, binds }, allowedTools: input.allowedTools });
  }

  listServers(): Promise<McpServerRecord[]> {
    return this.registry.listServers();
  }

  async getServer(label: string): Promise<McpServerRecord> {
    const server = await this.registry.getServer(label);
    if (!server) throw new NotFoundError({ message: `MCP server ${label} not found`, param: "label", code: "mcp_server_not_found" });
    return server;
  }

  async removeServer(label: string): Promise<void> {
    if (!(await this.registry.removeServer(label))) throw new NotFoundError({ message: `MCP server ${label} not found`, param: "label", code: "mcp_server_not_found" });
  }

  /** The server's tools as it lists them now, each with its hash and approval status (admin view: nothing hidden). */
  async listServerTools(label: string, signal?: AbortSignal): Promise<McpToolView[]> {
    const server = await this.getServer(label);
    const tools = await this.withSession(server, signal, (session) => session.listTools());
    return this.views(server, tools, await this.registry.approvals(label));
  }

  /** Approves the current hash of the named tools (every listed tool with `"all"`); returns the server's tools. */
  async approveTools(label: string, names: string[] | "all", approvedBy: string, signal?: AbortSignal): Promise<McpToolView[]> {
    const current = await this.listServerTools(label, signal);
    const chosen = names === "all" ? current : names.map((name) => current.find((tool) => tool.name === name));
    const missing = names === "all" ? undefined : names.find((name, index) => chosen[index] === undefined);
    if (missing !== undefined) throw new InvalidRequestError({ message: `MCP server ${label} lists no tool ${missing}`, param: "tools", code: "mcp_tool_not_found" });
    const approved = chosen.filter((tool): tool is McpToolView => tool !== undefined);
    await this.registry.approve(label, approved.map((tool) => ({ name: tool.name, hash: tool.hash })), approvedBy);
    const approvedNames = new Set(approved.map((tool) => tool.name));
    return current.map((tool) => (approvedNames.has(tool.name) ? { ...tool, status: "approved", approvedHash: tool.hash } : tool));
  }

  async grant(label: string, keyId: string, tools: string[] | undefined): Promise<McpGrant> {
    await this.getServer(label);
    return this.registry.grant(label, keyId, tools);
  }

  async revoke(label: string, keyId: string): Promise<void> {
    await this.getServer(label);
    if (!(await this.registry.revoke(label, keyId))) throw new NotFoundError({ message: `key ${keyId} has no grant on MCP server ${label}`, param: "key_id", code: "mcp_grant_not_found" });
  }

  async grants(label: string): Promise<McpGrant[]> {
    await this.getServer(label);
    return this.registry.grants({ server: label });
  }

  /**
   * The tools this caller may use, across servers (or of one): allowed by the server, granted to the key (admins:
   * all). Only `approved` ones are callable. A server that fails to answer is reported in `unavailable`.
   */
  async toolsFor(caller: McpCaller, options: { server?: string | undefined; signal?: AbortSignal | undefined } = {}): Promise<{ tools: McpToolView[]; unavailable: Array<{ server: string; message: string }> }> {
    const servers = options.server === undefined ? await this.registry.listServers() : [await this.getServer(options.server)];
    const grants = caller.isAdmin ? undefined : await this.registry.grants({ keyId: caller.keyId ?? "" });
    const tools: McpToolView[] = [];
    const unavailable: Array<{ server: string; message: string }> = [];
    for (const server of servers) {
      const grant = grants?.find((entry) => entry.server === server.label);
      if (grants !== undefined && grant === undefined) continue;
      try {
        const listed = await this.withSession(server, options.signal, (session) => session.listTools());
        const views = this.views(server, listed, await this.registry.approvals(server.label));
        tools.push(...views.filter((tool) => tool.allowed && (grant?.tools === undefined || grant.tools.includes(tool.name))));
      } catch (error) {
        if (options.server !== undefined) throw error;
        unavailable.push({ server: server.label, message: error instanceof Error ? error.message : String(error) });
      }
    }
    return { tools, unavailable };
  }

  /** Calls `label__tool` for a caller: granted, allowed, approved and unchanged, or it throws before calling. */
  async callTool(caller: McpCaller, namespacedName: string, args: Record<string, unknown>, options: { signal?: AbortSignal | undefined } = {}): Promise<McpToolResult> {
    const { server: label, tool: name } = splitNamespacedToolName(namespacedName);
    const server = await this.getServer(label);
    if (!caller.isAdmin) {
      const grant = (await this.registry.grants({ server: label, keyId: caller.keyId ?? "" }))[0];
      if (!grant || (grant.tools !== undefined && !grant.tools.includes(name))) {
        throw new PermissionDeniedError({ message: `this API key may not use MCP tool ${namespacedName}`, code: "mcp_tool_not_granted" });
      }
    }
    if (server.allowedTools !== undefined && !server.allowedTools.includes(name)) {
      throw new PermissionDeniedError({ message: `MCP server ${label} does not allow tool ${name}`, code: "mcp_tool_not_allowed" });
    }
    const approval = (await this.registry.approvals(label)).get(name);
    return this.withSession(server, options.signal, async (session) => {
      const tool = (await session.listTools()).find((entry) => entry.name === name);
      if (!tool) throw new NotFoundError({ message: `MCP server ${label} lists no tool ${name}`, param: "name", code: "mcp_tool_not_found" });
      const hash = toolHash(tool);
      if (approval === undefined) {
        throw new ConflictError({ message: `MCP tool ${namespacedName} is not approved yet; an admin approves it (aiplus mcp tools ${label} --approve)`, code: "mcp_tool_not_approved" });
      }
      if (approval.hash !== hash) {
        throw new ConflictError({ message: `MCP tool ${namespacedName} changed since it was approved; an admin must re-approve it (aiplus mcp tools ${label} --approve)`, code: "mcp_tool_changed" });
      }
      return session.callTool(name, args);
    });
  }

  private views(server: McpServerRecord, tools: Tool[], approvals: Map<string, McpToolApproval>): McpToolView[] {
    return tools.map((tool) => {
      const hash = toolHash(tool);
      const approvedHash = approvals.get(tool.name)?.hash;
      return {
        server: server.label,
        name: tool.name,
        namespacedName: namespacedToolName(server.label, tool.name),
        description: tool.description,
        inputSchema: tool.inputSchema,
        hash,
        status: approvedHash === undefined ? "new" : approvedHash === hash ? "approved" : "changed",
        approvedHash,
        allowed: server.allowedTools === undefined || server.allowedTools.includes(tool.name),
      };
    });
  }

  private async withSession<Result>(server: McpServerRecord, signal: AbortSignal | undefined, use: (session: McpSession) => Promise<Result>): Promise<Result> {
    const stdio = server.stdio;
    if (!stdio) await this.policy.assertUrlAllowed(server.url);
    const transport = stdio ? new SandboxedStdioTransport({ command: stdio.command, args: stdio.args, env: stdio.env, binds: stdio.binds }) : undefined;
    const session = await openMcpSession(server, { fetch: this.fetch, timeoutMs: this.options.timeoutMs, signal, transport });
    try {
      return await use(session);
    } finally {
      await session.close();
    }
  }
}
