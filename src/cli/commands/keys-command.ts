import { Command, Option } from "commander";
import type { KeyManager } from "../../maas/index.js";
import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import type { ApiKeyRecord, BudgetPeriod, Database } from "../../store/index.js";
import type { Config } from "../../config/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase } from "../cli-context.js";
import { formatDollars, formatTime, printJson, printLine, printTable } from "../output.js";
import { parseDate, parseDollars, parseDuration, parseList, parseName, parsePositiveInteger } from "../parse-options.js";

type CreateOptions = {
  name: string;
  models?: string[];
  rpm?: number;
  tpm?: number;
  maxConcurrent?: number;
  budget?: number;
  period: BudgetPeriod;
  expires?: number;
  expiresIn?: number;
  admin?: boolean;
  allowCodeExecution?: boolean;
  policy?: string;
  json?: boolean;
};

/** `keys update` flags: `false` is a `--no-…` flag (remove the limit). */
type UpdateOptions = {
  name?: string;
  models?: string[] | false;
  rpm?: number | false;
  tpm?: number | false;
  maxConcurrent?: number | false;
  budget?: number | false;
  period?: BudgetPeriod;
  expires?: number | false;
  expiresIn?: number;
  admin?: boolean;
  allowCodeExecution?: boolean;
  policy?: string | false;
  json?: boolean;
};

const dayMs = 86_400_000;

/** `aiplus keys create | ls | update | revoke`: API keys with their limits. */
export function keysCommand(): Command {
  const keys = new Command("keys").description("manage API keys, their allowed models and limits");

  keys
    .command("create")
    .description("create an API key; the key is printed once and cannot be shown again")
    .requiredOption("--name <name>", "who or what the key is for", parseName)
    .option("--models <a,b>", "models the key may use, comma-separated (default: all)", parseList)
    .option("--rpm <n>", "requests per minute (default: unlimited)", parsePositiveInteger)
    .option("--tpm <n>", "tokens per minute (default: unlimited)", parsePositiveInteger)
    .option("--max-concurrent <n>", "concurrent requests, all instances together (default: unlimited)", parsePositiveInteger)
    .option("--budget <dollars>", "spending budget per period, e.g. 5.00 (default: unlimited)", parseDollars)
    .addOption(new Option("--period <period>", "budget period").choices(["day", "week", "month", "total"]).default("month"))
    .addOption(new Option("--expires <date>", "last valid day (UTC), e.g. 2026-12-31").argParser(parseDate).conflicts("expiresIn"))
    .option("--expires-in <duration>", "valid for this long, e.g. 30d, 12h, 2w", parseDuration)
    .option("--admin", "an admin key (may call the admin endpoints)")
    .option("--allow-code-execution", "may start eval runs that execute code in the sandbox (humaneval, code-execution tasks; admin keys always may)")
    .option("--policy <name>", "the key's guardrail policy (tightens the default policy; see `aiplus policies`)")
    .option("--json", "print {id, name, prefix, key, …} as JSON")
    .action(async (options: CreateOptions, command: Command) => {
      const config = await resolveConfig(command);
      const now = Date.now();
      const expiresAt = options.expires !== undefined ? expiresAfterDay(options.expires) : options.expiresIn !== undefined ? now + options.expiresIn : undefined;
      if (expiresAt !== undefined && expiresAt <= now) {
        throw new InvalidRequestError({ message: `--expires must be in the future, got ${new Date(expiresAt).toISOString()}`, param: "expires" });
      }
      const { record, key } = await withKeys(config, async (manager, database) => {
        const { assertKnownModels } = await import("../known-models.js");
        if (options.models) await assertKnownModels(database, options.models, "models");
        await assertPolicyExists(database, options.policy);
        return manager.create({
          name: options.name,
          models: options.models,
          rpm: options.rpm,
          tpm: options.tpm,
          maxConcurrentRequests: options.maxConcurrent,
          budget: options.budget,
          budgetPeriod: options.period,
          expiresAt,
          isAdmin: options.admin ?? false,
          allowCodeExecution: options.allowCodeExecution ?? false,
          policy: options.policy,
        });
      });
      if (options.json) {
        printJson({ ...(await loadApiViews()).keyView(record, Date.now()), key });
        return;
      }
      printLine(`created API key ${record.name} (id ${record.id}, prefix ${record.prefix})`);
      printLine(key);
      printLine("Store it now: it is not shown again.");
    });

  keys
    .command("ls")
    .description("list API keys (never their secrets)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await withKeys(await resolveConfig(command), (manager) => manager.list({ includeRevoked: true }));
      if (options.json) {
        const { keyView } = await loadApiViews();
        printJson(list.map((record) => keyView(record, Date.now())));
        return;
      }
      const now = Date.now();
      printTable(
        ["ID", "NAME", "PREFIX", "STATUS", "MODELS", "RPM", "TPM", "CONCURRENT", "BUDGET", "SPENT", "EXPIRES"],
        list.map((record) => [
          record.id,
          record.name + (record.isAdmin ? " (admin)" : ""),
          record.prefix,
          status(record, now),
          record.models?.join(",") ?? "all",
          record.rpm === undefined ? "-" : String(record.rpm),
          record.tpm === undefined ? "-" : String(record.tpm),
          record.maxConcurrentRequests === undefined ? "-" : String(record.maxConcurrentRequests),
          record.budgetNanos === undefined ? "-" : `${formatDollars(dollarsOf(record.budgetNanos))}/${record.budgetPeriod}`,
          formatDollars(dollarsOf(record.spentNanos)),
          record.expiresAt === undefined ? "never" : formatTime(record.expiresAt),
        ]),
        "no API keys; create one with `aiplus keys create --name …`",
      );
    });

  keys
    .command("update")
    .description("change an API key's name, models, limits, budget, expiry or admin flag (what is not given stays)")
    .argument("<key>", "the key's id, visible prefix or name")
    .option("--name <name>", "new name", parseName)
    .option("--models <a,b>", "models the key may use, comma-separated", parseList)
    .option("--no-models", "allow every model")
    .option("--rpm <n>", "requests per minute", parsePositiveInteger)
    .option("--no-rpm", "no request limit")
    .option("--tpm <n>", "tokens per minute", parsePositiveInteger)
    .option("--no-tpm", "no token limit")
    .option("--max-concurrent <n>", "concurrent requests, all instances together", parsePositiveInteger)
    .option("--no-max-concurrent", "no concurrency limit")
    .option("--budget <dollars>", "spending budget per period, e.g. 5.00", parseDollars)
    .option("--no-budget", "no budget")
    .addOption(new Option("--period <period>", "budget period (a new period starts now)").choices(["day", "week", "month", "total"]))
    .addOption(new Option("--expires <date>", "last valid day (UTC), e.g. 2026-12-31").argParser(parseDate).conflicts("expiresIn"))
    .option("--expires-in <duration>", "valid for this long from now, e.g. 30d, 12h, 2w", parseDuration)
    .option("--no-expires", "never expires")
    .option("--admin", "make it an admin key")
    .option("--no-admin", "make it a normal key")
    .option("--allow-code-execution", "may start eval runs that execute code in the sandbox")
    .option("--no-allow-code-execution", "may not start eval runs that execute code")
    .option("--policy <name>", "the key's guardrail policy (tightens the default policy)")
    .option("--no-policy", "no policy of its own (the default policy alone)")
    .option("--json", "print the updated key as JSON")
    .action(async (reference: string, options: UpdateOptions, command: Command) => {
      const config = await resolveConfig(command);
      const now = Date.now();
      const expiresAt =
        options.expires === false ? null : options.expires !== undefined ? expiresAfterDay(options.expires) : options.expiresIn !== undefined ? now + options.expiresIn : undefined;
      if (expiresAt !== undefined && expiresAt !== null && expiresAt <= now) {
        throw new InvalidRequestError({ message: `--expires must be in the future, got ${new Date(expiresAt).toISOString()}`, param: "expires" });
      }
      const cleared = <Value>(value: Value | false | undefined): Value | null | undefined => (value === false ? null : value);
      const change = {
        name: options.name,
        models: cleared(options.models),
        rpm: cleared(options.rpm),
        tpm: cleared(options.tpm),
        maxConcurrentRequests: cleared(options.maxConcurrent),
        budget: cleared(options.budget),
        budgetPeriod: options.period,
        expiresAt,
        isAdmin: options.admin,
        allowCodeExecution: options.allowCodeExecution,
        policy: cleared(options.policy),
      };
      if (Object.values(change).every((value) => value === undefined)) {
        throw new InvalidRequestError({ message: "nothing to change; give --name, --models, --rpm, --tpm, --max-concurrent, --budget, --period, --expires, --admin, --allow-code-execution or --policy (see --help)" });
      }
      const record = await withKeys(config, async (manager, database) => {
        const { assertKnownModels } = await import("../known-models.js");
        if (change.models) await assertKnownModels(database, change.models, "models");
        await assertPolicyExists(database, change.policy);
        return manager.updateLimits((await findKey(manager, reference)).id, change);
      });
      if (options.json) printJson((await loadApiViews()).keyView(record, Date.now()));
      else printLine(`updated API key ${record.name} (id ${record.id}, prefix ${record.prefix})`);
    });

  keys
    .command("revoke")
    .description("revoke an API key at once (requests with it fail with 401)")
    .argument("<key>", "the key's id, visible prefix or name")
    .option("--json", "print the revoked key as JSON")
    .action(async (reference: string, options: { json?: boolean }, command: Command) => {
      const record = await withKeys(await resolveConfig(command), async (manager) => manager.revoke((await findKey(manager, reference)).id));
      if (options.json) printJson((await loadApiViews()).keyView(record, Date.now()));
      else printLine(`revoked API key ${record.name} (id ${record.id}, prefix ${record.prefix})`);
    });

  return keys;
}

/** A key may only name a guardrail policy that exists. */
async function assertPolicyExists(database: Database, name: string | null | undefined): Promise<void> {
  if (name === null || name === undefined) return;
  const { createGuardrailPolicyRepository } = await import("../../store/index.js");
  if (!(await createGuardrailPolicyRepository(database).current(name))) {
    throw new InvalidRequestError({ message: `guardrail policy '${name}' does not exist; store it first with \`aiplus policies set <file> --name ${name}\``, param: "policy" });
  }
}

async function withKeys<Result>(config: Config, use: (manager: KeyManager, database: Database) => Promise<Result>): Promise<Result> {
  const { createKeyManager, loadKeySecret } = await import("../../maas/index.js");
  const keySecret = loadKeySecret(config.home, config.keySecret);
  return withDatabase(config, (database) => use(createKeyManager({ database, keySecret }), database));
}

/** A key by id or prefix, else by name among keys that are not revoked yet. */
async function findKey(manager: KeyManager, reference: string): Promise<ApiKeyRecord> {
  try {
    return await manager.resolve(reference);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  const named = (await manager.list({ includeRevoked: true })).filter((record) => record.name === reference);
  const active = named.filter((record) => record.revokedAt === undefined);
  if (active.length > 1) throw new InvalidRequestError({ message: `${active.length} keys are named ${reference}; revoke one by id (see \`aiplus keys ls\`)` });
  const match = active[0] ?? named[0];
  if (!match) throw new NotFoundError({ message: `unknown API key ${reference}; give its id, prefix or name (see \`aiplus keys ls\`)` });
  return match;
}

/** `--expires 2026-12-31` keeps the key valid through that UTC day. */
function expiresAfterDay(time: number): number {
  return time % dayMs === 0 ? time + dayMs : time;
}

function status(record: ApiKeyRecord, now: number): string {
  if (record.revokedAt !== undefined) return "revoked";
  if (record.expiresAt !== undefined && record.expiresAt <= now) return "expired";
  return "active";
}

/** Nano-dollars (the ledger's unit) to dollars. */
function dollarsOf(nanos: number): number {
  return nanos / 1e9;
}
