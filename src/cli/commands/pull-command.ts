import { Command } from "commander";
import type { PullResult } from "../../runtime/pull/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase } from "../cli-context.js";
import { defaultModelName } from "../default-model-name.js";
import { printJson, printLine } from "../output.js";
import { parseName } from "../parse-options.js";

type PullOptions = { name?: string; sha256?: string; json?: boolean };

/** `aiplus pull <source>`: download a GGUF (resumable, sha256-checked) and register it. */
export function pullCommand(): Command {
  return new Command("pull")
    .description("download a GGUF model (resumes after interruption, checks sha256) and register it")
    .argument("<source>", "hf:org/repo/file.gguf, hf:org/repo:revision/file.gguf, or an https:// URL")
    .option("--name <name>", "public model name (default: file name without .gguf, lowercased)", parseName)
    .option("--sha256 <hex>", "expected sha256 of the file (default: the server's, when it announces one)")
    .option("--json", "print the registered model as JSON")
    .addHelpText("after", "\nWithout network access, copy the file to this machine and run `aiplus models add <file>`.")
    .action(async (source: string, options: PullOptions, command: Command) => {
      const config = await resolveConfig(command);
      const { pullModel, resolvePullSource } = await import("../../runtime/pull/index.js");
      const { createModelRepository } = await import("../../store/index.js");
      const { createDownloadProgress } = await import("../download-progress.js");
      const { fileName } = resolvePullSource(source, config.huggingFaceUrl);
      const name = options.name ?? parseName(defaultModelName(fileName));
      await withDatabase(config, async (database) => {
        if (await createModelRepository(database).get(name)) {
          throw new InvalidRequestError({ message: `model ${name} already exists; choose another --name or \`aiplus models rm ${name}\``, param: "name" });
        }
      });
      const progress = createDownloadProgress(`pull ${fileName}`);
      const controller = new AbortController();
      const interrupt = () => controller.abort(new InvalidRequestError({ message: `download interrupted; run the same command again to resume` }));
      process.once("SIGINT", interrupt);
      let result: PullResult;
      try {
        result = await pullModel({ source, modelsDir: config.modelsDir, huggingFaceUrl: config.huggingFaceUrl, sha256: options.sha256, onProgress: (update) => progress.update(update), signal: controller.signal });
      } finally {
        progress.stop();
        process.off("SIGINT", interrupt);
      }
      const { inspectGguf } = await import("../../runtime/index.js");
      const metadata = await inspectGguf(result.path);
      const model = await withDatabase(config, async (database) => {
        const repository = createModelRepository(database);
        await repository.add({ name, path: result.path, kind: metadata.kind, metadata, sha256: result.sha256 });
        return (await repository.getEntry(name))!;
      });
      if (options.json) {
        printJson({ ...(await loadApiViews()).modelView(model), verified_against: result.verifiedAgainst ?? null });
        return;
      }
      const check = result.verifiedAgainst === undefined ? "not verified: no expected sha256" : `verified against the ${result.verifiedAgainst === "option" ? "--sha256 option" : "server's ETag"}`;
      printLine(`downloaded ${result.path} (sha256 ${result.sha256}, ${check})`);
      printLine(`added model ${model.name}: ${metadata.architecture}, ${metadata.quantization ?? "unknown quantization"}`);
    });
}
