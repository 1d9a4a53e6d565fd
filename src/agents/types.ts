import type { AgentDefinition } from "./agent-definition-schema.js";

/** An agent's row: its name and owner, and its latest version number. Times are epoch milliseconds. */
export type AgentRecord = {
  id: string;
  name: string;
  /** An API key id, or `local` (created by the CLI). */
  ownerId: string;
  latestVersion: number;
  createdAt: number;
  updatedAt: number;
};

/** One immutable version of an agent. */
export type AgentVersion = { agentId: string; version: number; definition: AgentDefinition; createdAt: number };

/** An agent at one version: what a run uses (`agent: {id, version}` resolves to this). */
export type ResolvedAgent = { agent: AgentRecord; version: AgentVersion };

/** A page of a list. */
export type Page<Item> = { items: Item[]; hasMore: boolean };

export type PageQuery = {
  /** An id: the items after it in `order`. */
  after?: string | undefined;
  limit: number;
  order: "asc" | "desc";
};
