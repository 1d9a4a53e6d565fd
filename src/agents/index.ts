export { type AgentAccessor, agentOwnerIdOf, localAgentOperator, localAgentOwnerId } from "./agent-accessor.js";
export {
  type AgentDefinition,
  type AgentDefinitionInput,
  agentDefinitionSchema,
  agentName,
  type AgentTool,
  maxMemoryBlockChars,
  type MemoryBlockDefinition,
} from "./agent-definition-schema.js";
export { type AgentRepository, type AgentRepositoryOptions, createAgentRepository } from "./agent-repository.js";
export { type AgentService, type AgentServiceOptions, createAgentService, type ImportOutcome } from "./agent-service.js";
export { approvalRequired } from "./approval-required.js";
export { type AgentReferenceChecks, agentReferenceChecks, checkAgentReferences } from "./check-agent-references.js";
export * from "./memory/index.js";
export { type AgentFileFormat, formatAgentFile, parseAgentDefinition, parseAgentFile } from "./parse-agent-definition.js";
export type { AgentRecord, AgentVersion, Page, PageQuery, ResolvedAgent } from "./types.js";
