import { newResponseId, type McpListToolsItem, type McpToolEntry } from "../../../responses/index.js";
import { fileSearchTool, listMcpRequestTools, mcpRequestTools } from "../../../server-tools/index.js";
import type { RunExecution } from "./run-execution.js";

/**
 * Builds the request's own tools for this execution (`execution.requestTools`): each `mcp` entry's tools, from the
 * `mcp_list_tools` item of its server in the conversation, or listed now (the item is emitted and committed once, so a
 * resumed run or a continuing response does not list again); and `file_search` over the named knowledge bases. A
 * server that cannot be listed gets an item with its `error` and no tools (the run goes on without them).
 */
export async function prepareRequestTools(execution: RunExecution): Promise<void> {
  const { dependencies, run } = execution;
  for (const entry of run.parameters.tools) {
    switch (entry.type) {
      case "mcp": {
        if (!dependencies.mcp) break;
        const listing = findListing(execution, entry.server_label) ?? (await listTools(execution, entry));
        for (const tool of mcpRequestTools(dependencies.mcp, entry, listing.tools)) execution.requestTools.set(tool.name, tool);
        break;
      }
      case "file_search":
        if (dependencies.knowledge) execution.requestTools.set("file_search", fileSearchTool(dependencies.knowledge, entry));
        break;
      case "function":
      case "server_tool":
        break;
      default:
        entry satisfies never;
    }
  }
}

function findListing(execution: RunExecution, label: string): McpListToolsItem | undefined {
  return [...execution.history, ...execution.response.output].findLast((item): item is McpListToolsItem => item.type === "mcp_list_tools" && item.server_label === label && item.error === null);
}

async function listTools(execution: RunExecution, entry: McpToolEntry): Promise<McpListToolsItem> {
  const mcp = execution.dependencies.mcp!;
  await execution.markRunning();
  let item: McpListToolsItem;
  try {
    const tools = await listMcpRequestTools(mcp, { keyId: execution.run.keyId, isAdmin: execution.principal.isAdmin }, entry, execution.signal);
    item = { id: newResponseId("mcpl"), type: "mcp_list_tools", server_label: entry.server_label, tools, error: null };
  } catch (error) {
    execution.signal.throwIfAborted();
    item = { id: newResponseId("mcpl"), type: "mcp_list_tools", server_label: entry.server_label, tools: [], error: error instanceof Error ? error.message : String(error) };
  }
  const outputIndex = execution.response.output.length;
  await execution.emit({ type: "response.output_item.added", output_index: outputIndex, item: { ...item, tools: [] } });
  // Emitted once the listing is known (so a resumed run that lists again logs no half-finished listing).
  await execution.emit({ type: "response.mcp_list_tools.in_progress", item_id: item.id, output_index: outputIndex });
  await execution.emit({ type: item.error === null ? "response.mcp_list_tools.completed" : "response.mcp_list_tools.failed", item_id: item.id, output_index: outputIndex });
  await execution.emit({ type: "response.output_item.done", output_index: outputIndex, item });
  await execution.commit({ appendItems: [item], response: execution.withOutput([item]) });
  return item;
}
