import type { KeyPrincipal } from "../../maas/index.js";
import type { McpService } from "../../mcp/index.js";
import type { KnowledgeService } from "../../rag/index.js";
import type { ResponseTool } from "../../responses/index.js";
import type { ServerToolRegistry } from "../../server-tools/index.js";
import { AiplusError, InvalidRequestError, NotFoundError, PermissionDeniedError } from "../../spec/index.js";

/** What checking a request's tools needs. */
export type RequestToolsCheck = {
  serverTools?: ServerToolRegistry | undefined;
  mcp?: McpService | undefined;
  knowledge?: KnowledgeService | undefined;
};

const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Checks a run's tools before anything is stored or connected to, each error naming `tools[i]…`: a server tool must
 * be registered (a code-executing one needs a key with the code-execution permission: 403); an `mcp` entry names a
 * registered server the key was granted, or an ad-hoc `server_url` that passes the MCP URL allow-list (checked
 * without connecting); `file_search` names knowledge bases the key may use (404 / 403 on `tools[i].vector_store_ids`).
 */
export async function checkRequestTools(dependencies: RequestToolsCheck, principal: KeyPrincipal, tools: ResponseTool[]): Promise<void> {
  for (const [index, tool] of tools.entries()) {
    const param = `tools[${index}]`;
    switch (tool.type) {
      case "function":
        break;
      case "server_tool": {
        const registered = dependencies.serverTools?.get(tool.name);
        if (!registered) throw new InvalidRequestError({ message: `no server tool named ${tool.name} is registered`, param: "tools" });
        if (registered.requiresCodeExecution && !principal.isAdmin && !principal.allowCodeExecution) {
          throw new PermissionDeniedError({ message: `the server tool ${tool.name} executes code; this API key lacks the code-execution permission (allow_code_execution)`, param, code: "code_execution_not_allowed" });
        }
        break;
      }
      case "mcp":
        await checkMcp(dependencies.mcp, principal, tool, param);
        break;
      case "file_search": {
        const knowledge = dependencies.knowledge;
        if (!knowledge) throw new InvalidRequestError({ message: "knowledge bases are not enabled on this server", param: `${param}.type` });
        for (const reference of tool.vector_store_ids) {
          try {
            await knowledge.access({ keyId: principal.id, isAdmin: principal.isAdmin }, reference);
          } catch (error) {
            throw withParam(error, `${param}.vector_store_ids`);
          }
        }
        break;
      }
      default:
        tool satisfies never;
    }
  }
}

async function checkMcp(mcp: McpService | undefined, principal: KeyPrincipal, tool: Extract<ResponseTool, { type: "mcp" }>, param: string): Promise<void> {
  if (!mcp) throw new InvalidRequestError({ message: "MCP tools are not enabled on this server", param: `${param}.type` });
  if (tool.server_url !== null) {
    for (const [name, value] of Object.entries(tool.headers ?? {})) {
      if (!headerNamePattern.test(name) || /[\r\n\0]/.test(value)) throw new InvalidRequestError({ message: `invalid header ${JSON.stringify(name)}`, param: `${param}.headers` });
    }
    try {
      await mcp.policy.assertUrlAllowed(tool.server_url);
    } catch (error) {
      throw withParam(error, `${param}.server_url`);
    }
    return;
  }
  if (tool.headers !== null) throw new InvalidRequestError({ message: "headers are for an ad-hoc server_url; a registered server sends its own", param: `${param}.headers` });
  let server;
  try {
    server = await mcp.getServer(tool.server_label);
  } catch (error) {
    throw withParam(error, `${param}.server_label`);
  }
  if (principal.isAdmin) return;
  const grant = (await mcp.registry.grants({ server: server.label, keyId: principal.id }))[0];
  if (!grant) throw new PermissionDeniedError({ message: `this API key was not granted the MCP server ${server.label}`, param: `${param}.server_label`, code: "mcp_server_not_granted" });
}

/** The same error naming `param` (a 400, 403 or 404 from a capability that named its own field). */
function withParam(error: unknown, param: string): unknown {
  if (!AiplusError.isInstance(error)) return error;
  const options = { message: error.message, param, code: error.code, cause: error };
  if (error instanceof NotFoundError) return new NotFoundError(options);
  if (error instanceof PermissionDeniedError) return new PermissionDeniedError(options);
  if (error instanceof InvalidRequestError) return new InvalidRequestError(options);
  return error;
}
