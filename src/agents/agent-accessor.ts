/**
 * Who acts on agents: an API key (`keyId`), or the local operator (CLI, `keyId` undefined). Agents belong to the key
 * that created them; admin keys and the local operator see every agent, other keys only their own.
 */
export type AgentAccessor = { keyId: string | undefined; isAdmin: boolean };

/** The owner id of agents the local operator creates, and its memory scope. */
export const localAgentOwnerId = "local";

/** The CLI's accessor. */
export const localAgentOperator: AgentAccessor = { keyId: undefined, isAdmin: true };

/** The owner id of this accessor's agents (and the key part of its memory scope). */
export function agentOwnerIdOf(accessor: AgentAccessor): string {
  return accessor.keyId ?? localAgentOwnerId;
}
