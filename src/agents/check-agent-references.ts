import { InvalidRequestError, sameModelName } from "../spec/index.js";
import type { AgentDefinition } from "./agent-definition-schema.js";

/** What the caller may use; the API answers for its key, the CLI for the local operator. */
export type AgentReferenceChecks = {
  /** Whether the model is registered or served by a provider, and allowed for the caller's key. */
  modelUsable(name: string): Promise<boolean>;
  /** Whether the knowledge base exists and the caller may use it. */
  knowledgeBaseUsable(name: string): Promise<boolean>;
};

/**
 * Checks every reference of a definition: its models, knowledge bases and the agents it hands off to or calls as
 * tools (of the same owner). The first one missing is a 400 naming its field (`fallback_models[1]`).
 */
export async function checkAgentReferences(definition: AgentDefinition, checks: AgentReferenceChecks & { agentExists(name: string): Promise<boolean> }): Promise<void> {
  const fail = (param: string, message: string, code: string) => {
    throw new InvalidRequestError({ message, param, code });
  };
  const model = async (name: string, param: string) => {
    if (!(await checks.modelUsable(name))) fail(param, `The model '${name}' does not exist or this API key may not use it.`, "model_not_found");
  };
  const knowledgeBase = async (name: string, param: string) => {
    if (!(await checks.knowledgeBaseUsable(name))) fail(param, `knowledge base '${name}' does not exist or this API key may not use it`, "knowledge_base_not_found");
  };
  const agent = async (name: string, param: string) => {
    if (!(await checks.agentExists(name))) fail(param, `no agent named '${name}'; create it first (handoffs and agent tools name agents of the same owner)`, "agent_not_found");
  };

  await model(definition.model, "model");
  for (const [index, name] of definition.fallback_models.entries()) await model(name, `fallback_models[${index}]`);
  for (const [index, tool] of definition.tools.entries()) {
    switch (tool.type) {
      case "builtin":
        if (tool.name === "knowledge_search") {
          for (const [position, name] of tool.knowledge_bases.entries()) await knowledgeBase(name, `tools[${index}].knowledge_bases[${position}]`);
        }
        break;
      case "agent":
        await agent(tool.agent, `tools[${index}].agent`);
        break;
      case "function":
      case "mcp":
        break;
      default:
        tool satisfies never;
    }
  }
  for (const [index, name] of definition.handoffs.entries()) await agent(name, `handoffs[${index}]`);
  if (definition.memory.archival_knowledge_base !== undefined) await knowledgeBase(definition.memory.archival_knowledge_base, "memory.archival_knowledge_base");
}

/**
 * Reference checks over the gateway's model list (language models only: an embedding model cannot run an agent) and a
 * knowledge-base lookup that rejects when the caller may not use one. The model list is read once per check set.
 */
export function agentReferenceChecks(options: {
  listModels: () => Promise<readonly { id: string; kind: "llm" | "embedding" }[]>;
  /** Whether the caller's key may use the model. Defaults to always. */
  modelAllowed?: ((name: string) => boolean) | undefined;
  /** Resolves when the caller may use the knowledge base, rejects (any error) otherwise; absent: none exist. */
  accessKnowledgeBase?: ((name: string) => Promise<unknown>) | undefined;
}): AgentReferenceChecks {
  let models: Promise<readonly { id: string; kind: "llm" | "embedding" }[]> | undefined;
  return {
    async modelUsable(name) {
      const listed = await (models ??= options.listModels());
      return listed.some((model) => model.kind === "llm" && sameModelName(model.id, name)) && (options.modelAllowed?.(name) ?? true);
    },
    async knowledgeBaseUsable(name) {
      if (!options.accessKnowledgeBase) return false;
      return options.accessKnowledgeBase(name).then(
        () => true,
        () => false,
      );
    },
  };
}
