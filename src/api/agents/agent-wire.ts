import type { AgentRecord, AgentVersion, MemoryBlockView, ResolvedAgent } from "../../agents/index.js";

const seconds = (milliseconds: number) => Math.floor(milliseconds / 1000);

/** An agent on the wire: its record and the definition of one version (`version`; the latest unless asked). */
export function wireAgent(resolved: ResolvedAgent) {
  const { agent, version } = resolved;
  return {
    id: agent.id,
    object: "agent" as const,
    name: agent.name,
    owner: agent.ownerId,
    version: version.version,
    latest_version: agent.latestVersion,
    created_at: seconds(agent.createdAt),
    updated_at: seconds(agent.updatedAt),
    definition: version.definition,
  };
}

/** An agent in a list (without its definition). */
export function wireAgentSummary(agent: AgentRecord) {
  return { id: agent.id, object: "agent" as const, name: agent.name, owner: agent.ownerId, latest_version: agent.latestVersion, created_at: seconds(agent.createdAt), updated_at: seconds(agent.updatedAt) };
}

export function wireAgentVersion(version: AgentVersion) {
  return { object: "agent.version" as const, agent_id: version.agentId, version: version.version, created_at: seconds(version.createdAt), definition: version.definition };
}

export function wireMemoryBlock(block: MemoryBlockView) {
  return {
    object: "agent.memory_block" as const,
    label: block.label,
    description: block.description ?? null,
    value: block.value,
    chars: block.chars,
    limit_chars: block.limitChars,
    read_only: block.readOnly,
    updated_at: block.updatedAt === undefined ? null : seconds(block.updatedAt),
  };
}
