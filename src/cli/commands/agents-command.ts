import fs from "node:fs/promises";
import path from "node:path";
import { Command, Option } from "commander";
import type { AgentDefinition, AgentFileFormat, AgentReferenceChecks, AgentService } from "../../agents/index.js";
import type { Config } from "../../config/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import type { Database } from "../../store/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase, withPlatform } from "../cli-context.js";
import { formatTime, printJson, printLine, printTable } from "../output.js";
import { parsePositiveInteger } from "../parse-options.js";

type JsonFlag = { json?: boolean };

/**
 * `aiplus agents create | ls | show | export | import | rm`: versioned agent definitions (YAML or JSON files), as the
 * local operator (sees every agent; creates agents owned by `local`). Works with or without a server on the same
 * AIPLUS_HOME. A version is chosen with `--agent-version` (`--version` is the program's own flag).
 */
export function agentsCommand(): Command {
  const agents = new Command("agents").description("agents: versioned definitions (model, instructions, tools, handoffs, memory, limits) as YAML or JSON files");

  agents
    .command("create")
    .description("create an agent from a definition file (YAML, or JSON when it ends in .json)")
    .argument("<file>", "the definition file")
    .option("--json", "print JSON")
    .action(async (file: string, options: JsonFlag, command: Command) => {
      const definition = await readDefinitionFile(file);
      const created = await withReferences(await resolveConfig(command), definition, async (service, checks) => {
        const { localAgentOperator } = await import("../../agents/index.js");
        return service.create(localAgentOperator, definition, checks);
      });
      if (options.json) printJson((await loadApiViews()).agentView(created));
      else printLine(`created agent ${created.agent.name} (${created.agent.id}), version 1`);
    });

  agents
    .command("ls")
    .description("list agents")
    .option("--json", "print JSON")
    .action(async (options: JsonFlag, command: Command) => {
      const list = await withAgents(await resolveConfig(command), async (service) => {
        const { localAgentOperator } = await import("../../agents/index.js");
        const all = [];
        for (let after: string | undefined; ; ) {
          const page = await service.list(localAgentOperator, { after, limit: 100, order: "asc" });
          all.push(...page.items);
          after = page.items.at(-1)?.id;
          if (!page.hasMore || after === undefined) return all;
        }
      });
      if (options.json) {
        printJson(list.map((await loadApiViews()).agentSummaryView));
        return;
      }
      printTable(
        ["NAME", "ID", "OWNER", "VERSION", "UPDATED"],
        list.map((agent) => [agent.name, agent.id, agent.ownerId, String(agent.latestVersion), formatTime(agent.updatedAt)]),
        "no agents; create one with `aiplus agents create <file>`",
      );
    });

  agents
    .command("show")
    .description("show an agent's definition (YAML) at its latest or a given version")
    .argument("<agent>", "name or id")
    .option("--agent-version <n>", "the version to show (default: the latest)", parsePositiveInteger)
    .option("--json", "print JSON")
    .action(async (reference: string, options: JsonFlag & { agentVersion?: number }, command: Command) => {
      const resolved = await withAgents(await resolveConfig(command), async (service) => service.get(await operator(), reference, options.agentVersion));
      if (options.json) {
        printJson((await loadApiViews()).agentView(resolved));
        return;
      }
      const { agent, version } = resolved;
      const { formatAgentFile } = await import("../../agents/index.js");
      printLine(`# agent ${agent.name} (${agent.id}), version ${version.version} of ${agent.latestVersion}, owner ${agent.ownerId}, created ${formatTime(version.createdAt)}`);
      process.stdout.write(formatAgentFile(version.definition, "yaml"));
    });

  agents
    .command("export")
    .description("write an agent's definition as a file that `aiplus agents import` (or POST /v1/agents/import) reads back")
    .argument("<agent>", "name or id")
    .option("--out <file>", "write to this file (default: stdout)")
    .addOption(new Option("--format <format>", "file format (default: from --out's extension, else yaml)").choices(["yaml", "json"]))
    .option("--agent-version <n>", "the version to export (default: the latest)", parsePositiveInteger)
    .action(async (reference: string, options: { out?: string; format?: AgentFileFormat; agentVersion?: number }, command: Command) => {
      const format = options.format ?? (options.out !== undefined && path.extname(options.out).toLowerCase() === ".json" ? "json" : "yaml");
      const resolved = await withAgents(await resolveConfig(command), async (service) => service.get(await operator(), reference, options.agentVersion));
      const { formatAgentFile } = await import("../../agents/index.js");
      const text = formatAgentFile(resolved.version.definition, format);
      if (options.out === undefined) {
        process.stdout.write(text);
        return;
      }
      await fs.writeFile(options.out, text, "utf8");
      printLine(`exported agent ${resolved.agent.name} version ${resolved.version.version} to ${options.out}`);
    });

  agents
    .command("import")
    .description("import a definition file: creates the agent, or adds a version when one of that name exists (none when unchanged)")
    .argument("<file>", "the definition file (YAML, or JSON when it ends in .json)")
    .option("--json", "print JSON")
    .action(async (file: string, options: JsonFlag, command: Command) => {
      const definition = await readDefinitionFile(file);
      const imported = await withReferences(await resolveConfig(command), definition, async (service, checks) => service.import(await operator(), definition, checks));
      if (options.json) {
        printJson({ ...(await loadApiViews()).agentView(imported), import_outcome: imported.outcome });
        return;
      }
      const { agent, version } = imported;
      const what = imported.outcome === "created" ? "created agent" : imported.outcome === "versioned" ? "added a version to agent" : "unchanged agent";
      printLine(`${what} ${agent.name} (${agent.id}), version ${version.version}`);
    });

  agents
    .command("rm")
    .description("delete an agent and its memory")
    .argument("<agent>", "name or id")
    .action(async (reference: string, _options: unknown, command: Command) => {
      const agent = await withAgents(await resolveConfig(command), async (service) => service.remove(await operator(), reference));
      printLine(`removed agent ${agent.name} (${agent.id})`);
    });

  return agents;
}

async function operator() {
  return (await import("../../agents/index.js")).localAgentOperator;
}

async function readDefinitionFile(file: string): Promise<AgentDefinition> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    throw new InvalidRequestError({ message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, cause: error });
  }
  const { parseAgentFile } = await import("../../agents/index.js");
  try {
    return parseAgentFile(text, path.extname(file).toLowerCase() === ".json" ? "json" : "yaml");
  } catch (error) {
    if (error instanceof InvalidRequestError) throw new InvalidRequestError({ message: `${file}: ${error.message}`, param: error.param, code: error.code, cause: error });
    throw error;
  }
}

async function withAgents<Result>(config: Config, use: (service: AgentService, database: Database) => Promise<Result>): Promise<Result> {
  const { createAgentService } = await import("../../agents/index.js");
  return withDatabase(config, (database) => use(createAgentService({ database }), database));
}

/**
 * Runs `use` with reference checks for `definition`: models from the registry and providers; knowledge bases (only
 * when the definition names one) through an in-process platform, which the knowledge service needs.
 */
async function withReferences<Result>(config: Config, definition: AgentDefinition, use: (service: AgentService, checks: AgentReferenceChecks) => Promise<Result>): Promise<Result> {
  const { agentReferenceChecks, createAgentService } = await import("../../agents/index.js");
  const namesKnowledgeBase = definition.memory.archival_knowledge_base !== undefined || definition.tools.some((tool) => tool.type === "builtin" && tool.name === "knowledge_search");
  if (namesKnowledgeBase) {
    const { localOperator } = await import("../../rag/index.js");
    return withPlatform(config, (platform) =>
      use(platform.agents, agentReferenceChecks({ listModels: () => platform.gateway.listModels(), accessKnowledgeBase: (name) => platform.knowledge.access(localOperator, name) })),
    );
  }
  const { createModelRepository, createProviderRepository } = await import("../../store/index.js");
  return withDatabase(config, async (database) => {
    const listModels = async () => [
      ...(await createModelRepository(database).list()).map((model) => ({ id: model.name, kind: model.kind })),
      ...(await createProviderRepository(database).list()).flatMap((provider) => provider.models.map((id) => ({ id, kind: "llm" as const }))),
    ];
    return use(createAgentService({ database }), agentReferenceChecks({ listModels }));
  });
}

