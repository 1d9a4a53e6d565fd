import { Command } from "commander";
import { NotFoundError } from "../../spec/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase } from "../cli-context.js";
import { formatDollars, printJson, printLine, printTable } from "../output.js";
import { parseDollars } from "../parse-options.js";

/** `aiplus prices set | ls | rm`: dollars per 1M input and output tokens per model. */
export function pricesCommand(): Command {
  const prices = new Command("prices").description("manage the price book (dollars per 1M tokens)");

  prices
    .command("set")
    .description("set a model's price per 1M input and output tokens")
    .argument("<model>", "model name (local or served by a provider)")
    .requiredOption("--input <dollars>", "dollars per 1M input (prompt) tokens, e.g. 0.15", parseDollars)
    .requiredOption("--output <dollars>", "dollars per 1M output (generated) tokens, e.g. 0.60", parseDollars)
    .option("--json", "print the price as JSON")
    .action(async (model: string, options: { input: number; output: number; json?: boolean }, command: Command) => {
      const { createPriceBook } = await import("../../maas/index.js");
      const { assertKnownModels } = await import("../known-models.js");
      const price = await withDatabase(await resolveConfig(command), async (database) => {
        await assertKnownModels(database, [model], "model");
        return createPriceBook({ database }).set(model, { inputDollarsPerMillion: options.input, outputDollarsPerMillion: options.output });
      });
      if (options.json) printJson((await loadApiViews()).priceView(price));
      else printLine(`${model}: ${formatDollars(price.inputDollarsPerMillion)} per 1M input tokens, ${formatDollars(price.outputDollarsPerMillion)} per 1M output tokens`);
    });

  prices
    .command("ls")
    .description("list prices")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const { createPriceBook } = await import("../../maas/index.js");
      const list = await withDatabase(await resolveConfig(command), (database) => createPriceBook({ database }).list());
      if (options.json) {
        printJson(list.map((await loadApiViews()).priceView));
        return;
      }
      printTable(
        ["MODEL", "INPUT $/1M", "OUTPUT $/1M", "UPDATED"],
        list.map((price) => [price.model, formatDollars(price.inputDollarsPerMillion), formatDollars(price.outputDollarsPerMillion), new Date(price.updatedAt).toISOString()]),
        "no prices set; unpriced models cost nothing (set one with `aiplus prices set <model> --input … --output …`)",
      );
    });

  prices
    .command("rm")
    .description("remove a model's price (it then costs nothing)")
    .argument("<model>", "model name")
    .action(async (model: string, _options: unknown, command: Command) => {
      const { createPriceBook } = await import("../../maas/index.js");
      const removed = await withDatabase(await resolveConfig(command), (database) => createPriceBook({ database }).remove(model));
      if (!removed) throw new NotFoundError({ message: `model ${model} has no price; see \`aiplus prices ls\``, param: "model" });
      printLine(`removed the price of ${model}`);
    });

  return prices;
}
