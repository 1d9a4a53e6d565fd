import { Command, InvalidArgumentError, Option } from "commander";
import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase } from "../cli-context.js";
import { printJson, printLine, printTable } from "../output.js";
import { parseList, parseName, parsePositiveInteger } from "../parse-options.js";

type UpdateOptions = {
  baseUrl?: string;
  url?: string;
  /** `false`: `--no-api-key`. */
  apiKey?: string | false;
  models?: string[];
  priority?: number;
  timeoutMs?: number;
  json?: boolean;
};
type AddOptions = { name: string; baseUrl: string; apiKey?: string; models: string[]; priority?: number; timeoutMs?: number; json?: boolean };

/** `aiplus providers add | ls | update | rm`: upstream OpenAI-compatible endpoints. */
export function providersCommand(): Command {
  const providers = new Command("providers").description("manage upstream OpenAI-compatible providers");

  providers
    .command("add")
    .description("register an OpenAI-compatible endpoint that serves some models")
    .requiredOption("--name <name>", "provider name", parseName)
    .requiredOption("--base-url <url>", "base URL including /v1, e.g. https://api.example.com/v1", parseBaseUrl)
    .option("--api-key <key>", "API key sent as a Bearer token")
    .requiredOption("--models <a,b>", "model names this provider serves, comma-separated", parseList)
    .option("--priority <n>", "lower is tried first (default 100)", parsePositiveInteger)
    .option("--timeout-ms <ms>", "timeout until the first byte (default 60000)", parsePositiveInteger)
    .option("--json", "print the provider as JSON (without its API key)")
    .action(async (options: AddOptions, command: Command) => {
      const { createProviderRepository } = await import("../../store/index.js");
      const provider = await withDatabase(await resolveConfig(command), (database) =>
        createProviderRepository(database).add({
          name: options.name,
          baseUrl: options.baseUrl,
          apiKey: options.apiKey,
          models: options.models,
          priority: options.priority,
          timeoutMs: options.timeoutMs,
        }),
      );
      if (options.json) printJson((await loadApiViews()).providerView(provider));
      else printLine(`added provider ${provider.name} (${provider.baseUrl}) for ${provider.models.join(", ")}`);
    });

  providers
    .command("ls")
    .description("list providers (API keys are never printed)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const { createProviderRepository } = await import("../../store/index.js");
      const list = await withDatabase(await resolveConfig(command), (database) => createProviderRepository(database).list());
      if (options.json) {
        printJson(list.map((await loadApiViews()).providerView));
        return;
      }
      printTable(
        ["NAME", "BASE URL", "MODELS", "PRIORITY", "TIMEOUT MS", "API KEY"],
        list.map((provider) => [
          provider.name, provider.baseUrl, provider.models.join(","), String(provider.priority), String(provider.timeoutMs), provider.apiKey ? "set" : "-",
        ]),
        "no providers; add one with `aiplus providers add --name … --base-url … --models …`",
      );
    });

  providers
    .command("update")
    .description("change a provider's base URL, API key, models, priority or timeout (what is not given stays)")
    .argument("<name>", "provider name or id")
    .option("--base-url <url>", "base URL including /v1", parseBaseUrl)
    .addOption(new Option("--url <url>", "same as --base-url").argParser(parseBaseUrl).conflicts("baseUrl"))
    .option("--api-key <key>", "API key sent as a Bearer token")
    .option("--no-api-key", "send no API key")
    .option("--models <a,b>", "model names this provider serves, comma-separated (replaces the list)", parseList)
    .option("--priority <n>", "lower is tried first", parsePositiveInteger)
    .option("--timeout-ms <ms>", "timeout until the first byte", parsePositiveInteger)
    .option("--json", "print the provider as JSON (without its API key)")
    .action(async (name: string, options: UpdateOptions, command: Command) => {
      const change = {
        baseUrl: options.baseUrl ?? options.url,
        apiKey: options.apiKey === false ? null : options.apiKey,
        models: options.models,
        priority: options.priority,
        timeoutMs: options.timeoutMs,
      };
      if (Object.values(change).every((value) => value === undefined)) {
        throw new InvalidRequestError({ message: "nothing to change; give --base-url, --api-key, --models, --priority or --timeout-ms (see --help)" });
      }
      const { createProviderRepository } = await import("../../store/index.js");
      const provider = await withDatabase(await resolveConfig(command), (database) => createProviderRepository(database).update(name, change));
      if (!provider) throw new NotFoundError({ message: `unknown provider ${name}; see \`aiplus providers ls\``, param: "name" });
      if (options.json) printJson((await loadApiViews()).providerView(provider));
      else printLine(`updated provider ${provider.name} (${provider.baseUrl}) for ${provider.models.join(", ")}`);
    });

  providers
    .command("rm")
    .description("remove a provider")
    .argument("<name>", "provider name")
    .action(async (name: string, _options: unknown, command: Command) => {
      const { createProviderRepository } = await import("../../store/index.js");
      const removed = await withDatabase(await resolveConfig(command), (database) => createProviderRepository(database).remove(name));
      if (!removed) throw new NotFoundError({ message: `unknown provider ${name}; see \`aiplus providers ls\``, param: "name" });
      printLine(`removed provider ${name}`);
    });

  return providers;
}

function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidArgumentError("Must be an http(s) URL, e.g. https://api.example.com/v1.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidArgumentError("Must be an http(s) URL, e.g. https://api.example.com/v1.");
  return url.href.replace(/\/+$/, "");
}

