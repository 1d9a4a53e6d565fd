import { type RunState, runStates } from "./agent-types";

/**
 * URL search parameters of the Agents pages (imported by the router, so kept free of page code): the runs list's
 * `status` and `agent` (an agent id) filters, and the MCP page's chosen `server`.
 */
export type RunListSearch = { status?: RunState | undefined; agent?: string | undefined };

export function validateRunListSearch(search: Record<string, unknown>): RunListSearch {
  const status = runStates.find((state) => state === search.status);
  const agent = typeof search.agent === "string" && search.agent !== "" ? search.agent : undefined;
  return { ...(status ? { status } : {}), ...(agent ? { agent } : {}) };
}

export type McpSearch = { server?: string | undefined };

export function validateMcpSearch(search: Record<string, unknown>): McpSearch {
  return typeof search.server === "string" && search.server !== "" ? { server: search.server } : {};
}
