import { randomBytes } from "node:crypto";
import { InvalidRequestError, NotFoundError } from "../spec/index.js";
import type { DatabaseExecutor } from "../store/index.js";
import { type AgentAccessor, agentOwnerIdOf } from "./agent-accessor.js";
import type { AgentDefinition } from "./agent-definition-schema.js";
import { createAgentRepository } from "./agent-repository.js";
import { checkAgentReferences, type AgentReferenceChecks } from "./check-agent-references.js";
import type { ServerTool } from "../server-tools/index.js";
import { approvalRequired } from "./approval-required.js";
import { createAgentMemory, createMemoryTools, type MemoryBlockView, type MemoryChange, type MemoryScope } from "./memory/index.js";
import type { AgentRecord, AgentVersion, Page, PageQuery, ResolvedAgent } from "./types.js";

export type AgentServiceOptions = {
  database: DatabaseExecutor;
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  /** New agent ids. Defaults to `agent_` + 24 random bytes (hex). */
  generateId?: (() => string) | undefined;
};

/** What an import did: created the agent, added a version, or nothing (the file equals the latest version). */
export type ImportOutcome = ResolvedAgent & { outcome: "created" | "versioned" | "unchanged" };

/** Agents (versioned definitions owned by API keys) and their long-term memory. */
export type AgentService = ReturnType<typeof createAgentService>;

/**
 * Agents for an accessor: every read and write is scoped (another key's agent is a 404; admins and the local operator
 * see all). Definitions are validated before they reach here (`parseAgentDefinition`); the references in them
 * (models, knowledge bases, handoff and tool agents) are checked on every create, update and import.
 */
export function createAgentService(options: AgentServiceOptions) {
  const repository = createAgentRepository(options.database, { now: options.now });
  const memory = createAgentMemory(options.database, { now: options.now });
  const generateId = options.generateId ?? (() => `agent_${randomBytes(24).toString("hex")}`);

  /** The agent `reference` (an id, or a name) names for this accessor; 404 when it sees none. */
  async function access(accessor: AgentAccessor, reference: string): Promise<AgentRecord> {
    const ownerId = agentOwnerIdOf(accessor);
    const visible = (await repository.find(reference)).filter((agent) => accessor.isAdmin || agent.ownerId === ownerId);
    const chosen = visible.find((agent) => agent.id === reference) ?? visible.find((agent) => agent.ownerId === ownerId) ?? (visible.length === 1 ? visible[0] : undefined);
    if (chosen) return chosen;
    if (visible.length > 1) throw new InvalidRequestError({ message: `${visible.length} agents are named '${reference}'; use an id`, param: "agent_id" });
    throw new NotFoundError({ message: `No agent found with id or name '${reference}'.`, param: "agent_id", code: "agent_not_found" });
  }

  async function versionOf(agent: AgentRecord, version: number | undefined): Promise<AgentVersion> {
    const found = await repository.getVersion(agent.id, version ?? agent.latestVersion);
    if (!found) throw new NotFoundError({ message: `Agent '${agent.id}' has no version ${version}.`, param: "version", code: "agent_version_not_found" });
    return found;
  }

  async function scopeOf(accessor: AgentAccessor, reference: string, userId: string): Promise<{ agent: AgentRecord; scope: MemoryScope; version: AgentVersion }> {
    const agent = await access(accessor, reference);
    return { agent, scope: { agentId: agent.id, keyId: agentOwnerIdOf(accessor), userId }, version: await versionOf(agent, undefined) };
  }

  async function create(accessor: AgentAccessor, definition: AgentDefinition, checks: AgentReferenceChecks): Promise<ResolvedAgent> {
    const ownerId = agentOwnerIdOf(accessor);
    await checkAgentReferences(definition, { ...checks, agentExists: async (name) => (await repository.findByName(ownerId, name)) !== undefined });
    return toResolved(await repository.create({ id: generateId(), ownerId, definition }));
  }

  async function update(accessor: AgentAccessor, reference: string, definition: AgentDefinition, checks: AgentReferenceChecks): Promise<ResolvedAgent> {
    const agent = await access(accessor, reference);
    await checkAgentReferences(definition, { ...checks, agentExists: async (name) => (await repository.findByName(agent.ownerId, name)) !== undefined });
    const updated = await repository.addVersion(agent.id, definition);
    if (!updated) throw new NotFoundError({ message: `No agent found with id '${agent.id}'.`, param: "agent_id", code: "agent_not_found" });
    return toResolved(updated);
  }

  return {
    /** Creates an agent (version 1) owned by the accessor; 409 `agent_exists` when it has one of that name. */
    create,

    /** Adds a version with `definition` (the whole definition: it replaces the previous one). */
    update,

    /**
     * Imports a definition: creates the agent when the accessor has none of that name, else adds a version — unless
     * the definition equals the latest version (then nothing changes, so importing the same file twice is harmless).
     */
    async import(accessor: AgentAccessor, definition: AgentDefinition, checks: AgentReferenceChecks): Promise<ImportOutcome> {
      const existing = await repository.findByName(agentOwnerIdOf(accessor), definition.name);
      if (!existing) return { ...(await create(accessor, definition, checks)), outcome: "created" };
      const latest = await versionOf(existing, undefined);
      if (JSON.stringify(latest.definition) === JSON.stringify(definition)) return { agent: existing, version: latest, outcome: "unchanged" };
      return { ...(await update(accessor, existing.id, definition, checks)), outcome: "versioned" };
    },

    /** An agent at a version (default: its latest); what `agent: {id, version}` on a response resolves to. */
    async get(accessor: AgentAccessor, reference: string, version?: number | undefined): Promise<ResolvedAgent> {
      const agent = await access(accessor, reference);
      return { agent, version: await versionOf(agent, version) };
    },

    /** A page of the agents this accessor sees. */
    async list(accessor: AgentAccessor, query: PageQuery): Promise<Page<AgentRecord>> {
      return repository.list(accessor.isAdmin ? undefined : agentOwnerIdOf(accessor), query);
    },

    /** A page of an agent's versions. */
    async listVersions(accessor: AgentAccessor, reference: string, query: Omit<PageQuery, "after"> & { after?: number | undefined }): Promise<Page<AgentVersion>> {
      return repository.listVersions((await access(accessor, reference)).id, query);
    },

    /** Deletes an agent and its memory (its versions stay readable to runs that named them); the deleted record. */
    async remove(accessor: AgentAccessor, reference: string): Promise<AgentRecord> {
      const agent = await access(accessor, reference);
      if (!(await repository.remove(agent.id))) throw new NotFoundError({ message: `No agent found with id '${agent.id}'.`, param: "agent_id", code: "agent_not_found" });
      return agent;
    },

    /** The agent's memory blocks (latest version) with their values for this accessor's key and `userId`. */
    async readMemory(accessor: AgentAccessor, reference: string, userId: string): Promise<{ agent: AgentRecord; blocks: MemoryBlockView[] }> {
      const { agent, scope, version } = await scopeOf(accessor, reference, userId);
      return { agent, blocks: await memory.read(scope, version.definition.memory.blocks) };
    },

    /** Writes one block (as the API: read-only blocks may be written; limits always hold). */
    async writeMemory(accessor: AgentAccessor, reference: string, userId: string, label: string, change: MemoryChange, param?: string): Promise<MemoryBlockView> {
      const { scope, version } = await scopeOf(accessor, reference, userId);
      return memory.write({ scope, blocks: version.definition.memory.blocks, label, change, writer: "api", param });
    },

    /** The memory scope of a run of `resolved` for this accessor and user. */
    memoryScope(accessor: AgentAccessor, resolved: ResolvedAgent, userId: string): MemoryScope {
      return { agentId: resolved.agent.id, keyId: agentOwnerIdOf(accessor), userId };
    },

    /** The memory blocks a run renders into its prompt (`renderMemoryBlocks`). */
    async memoryBlocks(scope: MemoryScope, resolved: ResolvedAgent): Promise<MemoryBlockView[]> {
      return memory.read(scope, resolved.version.definition.memory.blocks);
    },

    /** `memory_replace` / `memory_append` for a run (when the definition has the `memory` builtin tool). */
    memoryTools(scope: MemoryScope, resolved: ResolvedAgent): ServerTool[] {
      const { definition } = resolved.version;
      const enabled = definition.tools.some((tool) => tool.type === "builtin" && tool.name === "memory");
      return enabled ? createMemoryTools({ memory, scope, blocks: definition.memory.blocks, requiresApproval: (name) => approvalRequired(definition, name) }) : [];
    },
  };
}

function toResolved(result: { agent: AgentRecord; version: AgentVersion }): ResolvedAgent {
  return { agent: result.agent, version: result.version };
}
