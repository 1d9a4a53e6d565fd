import { InvalidRequestError } from "../spec/index.js";
import type { ServerTool } from "./server-tool.js";

/** Server tools by name: built-ins at start, others (MCP) registered later by their capability. */
export type ServerToolRegistry = {
  /** Adds a tool; throws InvalidRequestError when the name is taken or malformed. */
  register(tool: ServerTool): void;
  /** Removes a tool (e.g. an MCP server was removed); false when there was none. */
  unregister(name: string): boolean;
  /** A tool by its name or one of its aliases (then the tool is returned under the alias, as the request named it). */
  get(name: string): ServerTool | undefined;
  list(): ServerTool[];
};

export function createServerToolRegistry(tools: ServerTool[] = []): ServerToolRegistry {
  const byName = new Map<string, ServerTool>();
  const aliases = new Map<string, string>();
  const registry: ServerToolRegistry = {
    register(tool) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(tool.name)) throw new InvalidRequestError({ message: `invalid server tool name ${JSON.stringify(tool.name)}`, param: "name" });
      if (byName.has(tool.name) || aliases.has(tool.name)) throw new InvalidRequestError({ message: `a server tool named ${tool.name} is already registered`, param: "name" });
      byName.set(tool.name, tool);
      for (const alias of tool.aliases ?? []) aliases.set(alias, tool.name);
    },
    unregister(name) {
      for (const alias of byName.get(name)?.aliases ?? []) aliases.delete(alias);
      return byName.delete(name);
    },
    get(name) {
      const direct = byName.get(name);
      if (direct) return direct;
      const aliased = byName.get(aliases.get(name) ?? "");
      return aliased && { ...aliased, name };
    },
    list: () => [...byName.values()],
  };
  for (const tool of tools) registry.register(tool);
  return registry;
}
