import { Command, InvalidArgumentError } from "commander";
import type { Config } from "../../config/index.js";
import type { McpService, McpToolView } from "../../mcp/index.js";
import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import type { Database } from "../../store/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase } from "../cli-context.js";
import { printJson, printLine, printTable } from "../output.js";

type AddOptions = { header: string[]; bearerToken?: string; allowTool: string[]; command?: string; arg: string[]; env: string[]; bind: string[]; json?: boolean };
type ToolsOptions = { approve?: true | string[]; json?: boolean };

/** `aiplus mcp add | ls | rm | tools | grant | revoke`: MCP servers whose tools keys may use. */
export function mcpCommand(): Command {
  const mcp = new Command("mcp").description("manage MCP servers whose tools API keys may use (Streamable HTTP, or stdio run sandboxed)");

  mcp
    .command("add")
    .description("register an MCP server: a URL (not loopback or private unless AIPLUS_MCP_ALLOWED_HOSTS allows it) or --command (stdio, run in the sandbox)")
    .argument("<label>", "namespace of its tools (label__tool): a-z, 0-9, '_' or '-'")
    .argument("[url]", "Streamable HTTP endpoint, e.g. https://mcp.example.com/mcp")
    .option("--command <path>", "stdio server: absolute path of the program, started in the bubblewrap sandbox (no network)")
    .option("--arg <value>", "stdio: an argument of the program (repeatable)", collect, [])
    .option("--env <name=value>", "stdio: an environment variable (repeatable; never printed)", collectPair, [])
    .option("--bind <folder>", "stdio: absolute host folder bound read-only into the sandbox (repeatable)", collect, [])
    .option("--header <name=value>", "HTTP header sent to the server (repeatable; never printed)", collectHeader, [])
    .option("--bearer-token <token>", "sent as Authorization: Bearer (never printed)")
    .option("--allow-tool <name>", "only this tool may be used (repeatable; default: all)", collect, [])
    .option("--json", "print the server as JSON (header values masked)")
    .action(async (label: string, url: string | undefined, options: AddOptions, command: Command) => {
      if ((url === undefined) === (options.command === undefined)) throw new InvalidRequestError({ message: "give a URL or --command, not both", param: "url" });
      const stdio = options.command !== undefined;
      const server = await withMcp(await resolveConfig(command), (service) =>
        service.addServer({
          label, url, headers: options.header.length > 0 ? Object.fromEntries(options.header.map(splitHeader)) : undefined, bearerToken: options.bearerToken,
          allowedTools: options.allowTool.length > 0 ? options.allowTool : undefined,
          ...(stdio ? { command: options.command, args: options.arg, env: Object.fromEntries(options.env.map(splitHeader)), binds: options.bind } : {}),
        }),
      );
      if (options.json) printJson((await loadApiViews()).mcpServerView(server));
      else printLine(`added MCP server ${server.label} (${server.stdio ? `stdio: ${server.stdio.command}` : server.url}); review its tools with \`aiplus mcp tools ${server.label}\``);
    });

  mcp
    .command("ls")
    .description("list MCP servers (header values are never printed)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const servers = await withMcp(await resolveConfig(command), (service) => service.listServers());
      if (options.json) {
        printJson(servers.map((await loadApiViews()).mcpServerView));
        return;
      }
      printTable(
        ["LABEL", "URL / COMMAND", "TRANSPORT", "ALLOWED TOOLS", "HEADERS"],
        servers.map((server) => [server.label, server.stdio ? server.stdio.command : server.url, server.transport, server.allowedTools?.join(",") ?? "all", Object.keys(server.headers).join(",") || "-"]),
        "no MCP servers; add one with `aiplus mcp add <label> <url>`",
      );
    });

  mcp
    .command("rm")
    .description("remove an MCP server with its approvals and grants")
    .argument("<label>", "server label")
    .action(async (label: string, _options: unknown, command: Command) => {
      await withMcp(await resolveConfig(command), (service) => service.removeServer(label));
      printLine(`removed MCP server ${label}`);
    });

  mcp
    .command("tools")
    .description("list a server's tools live with their hash status (new, approved, changed); --approve approves them")
    .argument("<label>", "server label")
    .option("--approve [tools...]", "approve the current hash of these tools (default: all listed)")
    .option("--json", "print JSON")
    .action(async (label: string, options: ToolsOptions, command: Command) => {
      const tools = await withMcp(await resolveConfig(command), (service) =>
        options.approve === undefined ? service.listServerTools(label) : service.approveTools(label, options.approve === true ? "all" : options.approve, "local"),
      );
      if (options.json) {
        printJson(tools.map((await loadApiViews()).mcpToolView));
        return;
      }
      printTable(
        ["TOOL", "STATUS", "ALLOWED", "HASH", "DESCRIPTION"],
        tools.map((tool: McpToolView) => [tool.namespacedName, tool.status, tool.allowed ? "yes" : "no", tool.hash.slice(0, 12), oneLine(tool.description ?? "")]),
        `MCP server ${label} lists no tools`,
      );
    });

  mcp
    .command("grant")
    .description("let a non-admin API key list and call a server's tools")
    .argument("<label>", "server label")
    .argument("<key-id>", "API key id")
    .option("--tool <name>", "only this tool (repeatable; default: every allowed tool)", collect, [])
    .action(async (label: string, keyId: string, options: { tool: string[] }, command: Command) => {
      const { createApiKeyRepository } = await import("../../store/index.js");
      await withMcp(await resolveConfig(command), async (service, database) => {
        if (!(await createApiKeyRepository(database).get(keyId))) throw new NotFoundError({ message: `unknown API key ${keyId}; see \`aiplus keys ls\``, param: "key_id" });
        return service.grant(label, keyId, options.tool.length > 0 ? options.tool : undefined);
      });
      printLine(`granted ${keyId} ${options.tool.length > 0 ? options.tool.join(", ") : "every tool"} of MCP server ${label}`);
    });

  mcp
    .command("revoke")
    .description("remove an API key's grant on a server")
    .argument("<label>", "server label")
    .argument("<key-id>", "API key id")
    .action(async (label: string, keyId: string, _options: unknown, command: Command) => {
      await withMcp(await resolveConfig(command), (service) => service.revoke(label, keyId));
      printLine(`revoked ${keyId} on MCP server ${label}`);
    });

  return mcp;
}

async function withMcp<Result>(config: Config, use: (service: McpService, database: Database) => Promise<Result>): Promise<Result> {
  const { McpService } = await import("../../mcp/index.js");
  return withDatabase(config, (database) => use(new McpService({ database, allowedHosts: config.mcpAllowedHosts }), database));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function collectHeader(value: string, previous: string[]): string[] {
  if (!/^[^=\s]+=/.test(value)) throw new InvalidArgumentError("Must be name=value, e.g. X-Api-Key=secret.");
  return [...previous, value];
}

function collectPair(value: string, previous: string[]): string[] {
  if (!/^[^=\s]+=/.test(value)) throw new InvalidArgumentError("Must be NAME=value, e.g. API_TOKEN=secret.");
  return [...previous, value];
}

function splitHeader(value: string): [string, string] {
  const index = value.indexOf("=");
  return [value.slice(0, index), value.slice(index + 1)];
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

