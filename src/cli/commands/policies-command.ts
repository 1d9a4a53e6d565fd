import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { InvalidRequestError } from "../../spec/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase } from "../cli-context.js";
import { formatTime, printJson, printLine, printTable } from "../output.js";
import { parsePositiveInteger } from "../parse-options.js";

/** The guardrails over the state folder's database (secret from the state folder, as the server loads it). */
async function withGuardrails<Result>(command: Command, use: (guardrails: import("../../guardrails/index.js").Guardrails) => Promise<Result>): Promise<Result> {
  const config = await resolveConfig(command);
  const { createGuardrails } = await import("../../guardrails/index.js");
  const { loadKeySecret } = await import("../../maas/index.js");
  return withDatabase(config, (database) => use(createGuardrails({ database, secret: loadKeySecret(config.home, config.keySecret) })));
}

/** The policy name of a file: `--name`, else the file name without its extension (`strict.yaml` → `strict`). */
function policyNameOf(file: string, name: string | undefined): string {
  return name ?? path.basename(file).replace(/\.(ya?ml|json)$/i, "").toLowerCase();
}

/** `aiplus policies set | ls | show | rm`: guardrail policies (YAML or JSON files), named and versioned. */
export function policiesCommand(): Command {
  const policies = new Command("policies").description("manage guardrail policies: what is masked, redacted, blocked or audited, per route");

  policies
    .command("set")
    .description("store a policy file (YAML or JSON) as the next version of its name; `default` applies to every key")
    .argument("<file>", "the policy file, e.g. strict.yaml (`pii: mask` is the shortest policy)")
    .option("--name <name>", "policy name (default: the file name without its extension)")
    .option("--json", "print the stored policy as JSON")
    .action(async (file: string, options: { name?: string; json?: boolean }, command: Command) => {
      let text: string;
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (error) {
        throw new InvalidRequestError({ message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, param: "file" });
      }
      const { record, document } = await withGuardrails(command, (guardrails) => guardrails.policies.set({ name: policyNameOf(file, options.name), policy: text, createdBy: "cli" }));
      if (options.json) printJson((await loadApiViews()).policyView(record, document));
      else printLine(`stored policy ${record.name} version ${record.version}`);
    });

  policies
    .command("ls")
    .description("list policies (their current versions)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await withGuardrails(command, (guardrails) => guardrails.policies.list());
      if (options.json) {
        const { policyView } = await loadApiViews();
        printJson(list.map((record) => ({ ...policyView(record, undefined), versions: record.versions })));
        return;
      }
      printTable(
        ["NAME", "VERSION", "UPDATED"],
        list.map((record) => [record.name + (record.name === "default" ? " (applies to every key)" : ""), String(record.version), formatTime(record.createdAt)]),
        "no policies: nothing is masked (store one with `aiplus policies set <file>`, e.g. a file with `pii: mask` named default.yaml)",
      );
    });

  policies
    .command("show")
    .description("print a policy as stored (its current version, or an earlier one: NAME@N or --policy-version N)")
    .argument("<name>", "policy name, or NAME@VERSION")
    // `--version` is the program's own flag (commander reads it anywhere on the line), hence `--policy-version`.
    .option("--policy-version <n>", "an earlier version", parsePositiveInteger)
    .option("--json", "print the validated policy and its keys as JSON")
    .action(async (reference: string, options: { policyVersion?: number; json?: boolean }, command: Command) => {
      const [name = reference, suffix] = reference.split("@");
      const version = suffix === undefined ? options.policyVersion : parsePositiveInteger(suffix);
      const { record, document, keys } = await withGuardrails(command, (guardrails) => guardrails.policies.get(name, version));
      if (options.json) {
        printJson({ ...(await loadApiViews()).policyView(record, document), keys });
        return;
      }
      printLine(`# ${record.name} version ${record.version}, ${formatTime(record.createdAt)}${keys.length > 0 ? `, used by ${keys.length} key(s)` : ""}`);
      process.stdout.write(record.source.endsWith("\n") ? record.source : `${record.source}\n`);
    });

  policies
    .command("rm")
    .description("remove a policy (all its versions; refused while keys use it)")
    .argument("<name>", "policy name")
    .action(async (name: string, _options: unknown, command: Command) => {
      await withGuardrails(command, (guardrails) => guardrails.policies.remove(name));
      printLine(`removed policy ${name}`);
    });

  return policies;
}

/** `aiplus audit`: the audit log (guardrail decisions and admin actions), newest first. */
export function auditCommand(): Command {
  return new Command("audit")
    .description("show the audit log: guardrail decisions (never the values, only their HMAC) and admin actions, newest first")
    .option("--since <date>", "only entries from this date or ISO date-time on")
    .option("--key <id>", "only entries of this API key id")
    .option("--kind <kind>", "guardrail or admin")
    .option("--request <id>", "only the guardrail decisions of this request (its id in the usage log)")
    .option("--limit <n>", "at most this many entries (default 100)", parsePositiveInteger)
    .option("--json", "print JSON")
    .action(async (options: { since?: string; key?: string; kind?: string; request?: string; limit?: number; json?: boolean }, command: Command) => {
      const since = options.since === undefined ? undefined : Date.parse(options.since);
      if (since !== undefined && !Number.isFinite(since)) throw new InvalidRequestError({ message: `--since must be a date like 2026-11-01 or an ISO date-time, got ${options.since}`, param: "since" });
      if (options.kind !== undefined && options.kind !== "guardrail" && options.kind !== "admin") throw new InvalidRequestError({ message: "--kind must be guardrail or admin", param: "kind" });
      const kind = options.kind;
      const { entries } = await withGuardrails(command, (guardrails) => guardrails.audit.page({ since, keyId: options.key, kind, requestId: options.request, limit: options.limit ?? 100 }));
      if (options.json) {
        printJson(entries.map((await loadApiViews()).auditView));
        return;
      }
      printTable(
        ["ID", "TIME", "KIND", "KEY", "ROUTE", "POLICY", "RULE", "ACTION", "WHERE"],
        entries.map((entry) => [
          String(entry.seq),
          formatTime(entry.createdAt),
          entry.kind,
          entry.keyId ?? entry.actor ?? "-",
          entry.route ?? "-",
          entry.policy ?? "-",
          entry.rule,
          entry.action,
          entry.target ?? entry.positions?.map((position) => `${position.location}:${position.start}-${position.end}`).slice(0, 3).join(" ") ?? "-",
        ]),
        options.request === undefined ? "the audit log is empty" : `no guardrail decision was recorded for request ${options.request}`,
      );
    });
}

/** Admin commands of the CLI that change state: each is written to the audit log before it runs. */
const auditedCommands: Record<string, readonly string[]> = {
  keys: ["create", "update", "revoke"],
  providers: ["add", "update", "rm"],
  prices: ["set", "rm"],
  models: ["add", "rm"],
  policies: ["set", "rm"],
};

/**
 * Writes an admin command of the CLI (`keys create`, `policies set`, …) to the audit log before it runs, as the
 * local operator (`cli:<user>`); when the log cannot be written the command fails without changing anything.
 */
export async function auditCliAction(action: Command): Promise<void> {
  const group = action.parent?.name();
  if (group === undefined || !auditedCommands[group]?.includes(action.name())) return;
  const config = await resolveConfig(action);
  const { createAuditLogRepository } = await import("../../store/index.js");
  const os = await import("node:os");
  const verb = { add: "create", rm: "delete", revoke: "delete" }[action.name()] ?? action.name();
  await withDatabase(config, (database) =>
    createAuditLogRepository(database).append([
      { createdAt: Date.now(), kind: "admin", actor: `cli:${os.userInfo().username}`, rule: `${group}.${verb}`, action: verb, target: action.args[0], details: { command: `${group} ${action.name()}` } },
    ]),
  );
}
