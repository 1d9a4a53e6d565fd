import type { AgentService } from "../../../../agents/index.js";
import type { KnowledgeService } from "../../../../rag/index.js";
import type { DatabaseExecutor } from "../../../../store/index.js";

/** What runs of agents need besides the run loop's own dependencies. */
export type AgentRunSupport = {
  /** Definitions, versions and memory blocks (owner-scoped). */
  service: AgentService;
  /** Past conversations (the `conversation_search` recall tool) and the ledger costs of a run (`max_cost`). */
  database: DatabaseExecutor;
  /** Archival memory and `knowledge_search`; absent: those tools say knowledge bases are off. */
  knowledge?: KnowledgeService | undefined;
};

/** How deep agents used as tools may nest (an agent tool of an agent tool of an agent tool). */
export const maxAgentToolDepth = 3;

/** Model calls a nested agent run (an agent used as a tool) makes when its definition sets no `max_steps`. */
export const defaultNestedMaxSteps = 8;
