import type { AgentService } from "../../agents/index.js";
import type { KeyPrincipal } from "../../maas/index.js";
import { InvalidRequestError, NotFoundError, PermissionDeniedError } from "../../spec/index.js";
import type { ResponseRequest } from "./response-request-schema.js";
import type { RequestAgent } from "./to-response-parameters.js";

/**
 * The agent a `POST /v1/responses` names (`agent: {id, version?}`; an id or a name), resolved for the calling key:
 * another key's agent is a 404 (admin keys see every agent), an unknown version a 404 on `agent.version`; an agent
 * with the built-in `code_interpreter` is a 403 for a key without the code-execution permission.
 */
export async function resolveRequestAgent(agents: AgentService | undefined, principal: KeyPrincipal, agent: NonNullable<ResponseRequest["agent"]>): Promise<RequestAgent> {
  if (!agents) throw new InvalidRequestError({ message: "agents are not available on this server", param: "agent" });
  try {
    const resolved = await agents.get({ keyId: principal.id, isAdmin: principal.isAdmin }, agent.id, agent.version ?? undefined);
    const { definition } = resolved.version;
    if (!principal.isAdmin && !principal.allowCodeExecution && definition.tools.some((tool) => tool.type === "builtin" && tool.name === "code_interpreter")) {
      throw new PermissionDeniedError({ message: `the agent '${definition.name}' uses code_interpreter; this API key lacks the code-execution permission (allow_code_execution)`, param: "agent.id", code: "code_execution_not_allowed" });
    }
    return { reference: { id: resolved.agent.id, version: resolved.version.version }, model: definition.model, maxToolCalls: definition.limits.max_tool_calls };
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError({ message: error.message, param: error.param === "version" ? "agent.version" : "agent.id", code: error.code, cause: error });
    throw error;
  }
}
