import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import type { RegisteredModel } from "../../runtime/index.js";
import { modalitiesOf } from "../../runtime/modalities.js";
import { NotFoundError, sameModelName } from "../../spec/index.js";
import type { Database } from "../../store/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase } from "../cli-context.js";
import { defaultModelName } from "../default-model-name.js";
import { formatBytes, formatCount, printJson, printLine, printTable } from "../output.js";
import { parseName } from "../parse-options.js";

/** `aiplus models add | ls | show | rm`: the local GGUF registry. */
export function modelsCommand(): Command {
  const models = new Command("models").description("manage the registry of local GGUF models");

  models
    .command("add")
    .description("register a GGUF file (its header is checked and read)")
    .argument("<file>", "path of the .gguf file")
    .option("--name <name>", "public model name, matched in any case (default: file name without .gguf)", parseName)
    .option("--mmproj <file>", "a multimodal projector (llama.cpp mmproj GGUF) for the model: it then reads images (native engine)")
    .option("--json", "print the registered model as JSON")
    .action(async (file: string, options: { name?: string; mmproj?: string; json?: boolean }, command: Command) => {
      const config = await resolveConfig(command);
      const filePath = path.resolve(file);
      const name = options.name ?? parseName(defaultModelName(filePath));
      // node-llama-cpp is heavy to import: only the commands that read GGUF files load it.
      const { inspectGguf, inspectProjector } = await import("../../runtime/index.js");
      const metadata = await inspectGguf(filePath);
      if (options.mmproj !== undefined) metadata.projector = await inspectProjector(path.resolve(options.mmproj), metadata);
      const { createModelRepository } = await import("../../store/index.js");
      const model = await withDatabase(config, async (database) => {
        const repository = createModelRepository(database);
        await repository.add({ name, path: filePath, kind: metadata.kind, metadata });
        return (await repository.getEntry(name))!;
      });
      if (options.json) printJson((await loadApiViews()).modelView(model));
      else printLine(`added model ${model.name}: ${summary(model)}`);
    });

  models
    .command("ls")
    .description("list registered models")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const { createModelRepository } = await import("../../store/index.js");
      const list = await withDatabase(await resolveConfig(command), (database) => createModelRepository(database).listEntries());
      if (options.json) {
        printJson(list.map((await loadApiViews()).modelView));
        return;
      }
      printTable(
        ["NAME", "KIND", "ARCHITECTURE", "PARAMETERS", "QUANTIZATION", "CONTEXT", "EXPERTS", "SIZE"],
        list.map(({ name, kind, metadata }) => [
          name,
          kind,
          metadata.architecture,
          formatCount(metadata.parameterCount),
          metadata.quantization ?? "-",
          metadata.contextLength === undefined ? "-" : String(metadata.contextLength),
          metadata.expertCount === undefined ? "-" : `${metadata.expertUsedCount ?? "?"}/${metadata.expertCount}`,
          formatBytes(metadata.fileSizeBytes),
        ]),
        "no models registered; add one with `aiplus models add <file.gguf>` or `aiplus pull <source>`",
      );
    });

  models
    .command("show")
    .description("show a model's details")
    .argument("<name>", "model name")
    .option("--json", "print JSON")
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const { createModelRepository } = await import("../../store/index.js");
      const model = await withDatabase(await resolveConfig(command), (database) => createModelRepository(database).getEntry(name));
      if (!model) throw unknownModel(name);
      if (options.json) {
        printJson((await loadApiViews()).modelView(model));
        return;
      }
      const { metadata } = model;
      const rows: [string, string][] = [
        ["name", model.name],
        ["kind", model.kind],
        ["architecture", metadata.architecture],
        ["parameters", metadata.parameterCount === undefined ? "-" : `${metadata.parameterCount} (${formatCount(metadata.parameterCount)})`],
        ["quantization", metadata.quantization ?? "-"],
        ["context length", metadata.contextLength === undefined ? "-" : String(metadata.contextLength)],
        ["embedding size", metadata.embeddingLength === undefined ? "-" : String(metadata.embeddingLength)],
        ["vocabulary size", metadata.vocabularySize === undefined ? "-" : String(metadata.vocabularySize)],
        ["experts", metadata.expertCount === undefined ? "- (dense)" : `${metadata.expertCount} (${metadata.expertUsedCount ?? "?"} used per token)`],
        ["chat template", metadata.hasChatTemplate ? "yes" : "no"],
        ["file size", `${metadata.fileSizeBytes} bytes (${formatBytes(metadata.fileSizeBytes)})`],
        ["modalities", `${modalitiesOf(model).input.join(", ")} → ${modalitiesOf(model).output.join(", ")}`],
        ["path", model.path],
        ...(metadata.projector ? [["mmproj", `${metadata.projector.path} (${metadata.projector.projectorType ?? "clip"}, projection ${metadata.projector.projectionDim})`] as [string, string]] : []),
      ];
      const width = Math.max(...rows.map(([label]) => label.length));
      for (const [label, value] of rows) printLine(`${`${label}:`.padEnd(width + 2)}${value}`);
    });

  models
    .command("rm")
    .description("unregister a model (the file stays on disk); refused while knowledge bases use it, unless --force")
    .argument("<name>", "model name")
    .option("--force", "remove it even though knowledge bases use it (they become unusable until re-indexed)")
    .action(async (name: string, options: { force?: boolean }, command: Command) => {
      const { createModelRepository, createProviderRepository } = await import("../../store/index.js");
      const config = await resolveConfig(command);
      const model = await withDatabase(config, async (database) => {
        const repository = createModelRepository(database);
        const existing = await repository.get(name);
        if (!existing) throw unknownModel(name);
        const servedElsewhere = (await createProviderRepository(database).list()).some((provider) => provider.models.some((listed) => sameModelName(listed, name)));
        if (!options.force && !servedElsewhere) await refuseWhileUsed(config.home, database, name);
        if (!(await repository.remove(name))) throw unknownModel(name);
        return existing;
      });
      printLine(`removed model ${name} (the file ${model.path} was kept)`);
    });

  return models;
}

/** Throws 409 `model_in_use` when knowledge bases in this state folder need the model. */
async function refuseWhileUsed(home: string, database: Database, name: string): Promise<void> {
  const { findModelDependants, knowledgeStorePath, modelInUseError, openKnowledgeStore } = await import("../../rag/index.js");
  if (database.dialect === "sqlite" && !fs.existsSync(knowledgeStorePath(home))) return;
  const { createJobRepository } = await import("../../jobs/index.js");
  const store = openKnowledgeStore(home, database);
  try {
    const jobs = createJobRepository(database);
    const dependants = await findModelDependants(name, { store, listJobs: (filter) => jobs.list(filter) });
    if (dependants.length > 0) throw modelInUseError(name, dependants);
  } finally {
    await store.close();
  }
}

function unknownModel(name: string): NotFoundError {
  return new NotFoundError({ message: `unknown model ${name}; see \`aiplus models ls\``, param: "model" });
}

function summary(model: RegisteredModel): string {
  const { metadata } = model;
  const parts = [metadata.architecture, `${formatCount(metadata.parameterCount)} parameters`, metadata.quantization ?? "unknown quantization"];
  if (metadata.expertCount !== undefined) parts.push(`${metadata.expertCount} experts, ${metadata.expertUsedCount ?? "?"} used`);
  return `${parts.join(", ")} (${model.path})`;
}
