import fs from "node:fs/promises";
import path from "node:path";
import { Command } from "commander";
import type { Config } from "../../config/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import type { WorkflowAccessor, WorkflowDefinition, WorkflowRunView, WorkflowService } from "../../workflows/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase, withPlatform } from "../cli-context.js";
import { formatTime, printJson, printLine, printTable } from "../output.js";

type JsonFlag = { json?: boolean };

/** The CLI acts as the local operator: it sees every workflow, creates `local` ones, and may run code steps. */
const operator: WorkflowAccessor = { keyId: undefined, isAdmin: true, allowCodeExecution: true };

/**
 * `aiplus workflows templates | create | update | versions | ls | show | rm | run | runs`: versioned workflow
 * definitions (YAML or JSON files, or one of the shipped templates; each update is a new version) and their durable
 * runs, as the local operator. `run` executes in this process with the
 * key `aiplus run` uses (`aiplus-cli-run`: its calls are on the ledger); a run left unfinished is resumed by the next
 * server on the same AIPLUS_HOME.
 */
export function workflowsCommand(): Command {
  const workflows = new Command("workflows").description("workflows: graphs of llm, agent, tool, condition, parallel, map, human_input and code steps, run durably");

  workflows
    .command("templates")
    .description("list the shipped templates (the five patterns of Anthropic's 'Building effective agents')")
    .action(async () => {
      const { workflowTemplate, workflowTemplateNames } = await import("../../workflows/index.js");
      printTable(["TEMPLATE", "DESCRIPTION"], workflowTemplateNames.map((name) => [name, workflowTemplate(name).description ?? ""]), "no templates");
    });

  workflows
    .command("create")
    .description("create a workflow from a definition file (YAML, or JSON when it ends in .json) or a template")
    .argument("[file]", "the definition file")
    .option("--template <name>", "create from a shipped template (see `aiplus workflows templates`)")
    .option("--name <name>", "the workflow's name (default: the definition's)")
    .option("--json", "print JSON")
    .action(async (file: string | undefined, options: JsonFlag & { template?: string; name?: string }, command: Command) => {
      if ((file === undefined) === (options.template === undefined)) throw new InvalidRequestError({ message: "give a definition file or --template <name> (one of them)" });
      let definition = options.template !== undefined ? (await import("../../workflows/index.js")).workflowTemplate(options.template) : await readDefinitionFile(file!);
      if (options.name !== undefined) definition = (await import("../../workflows/index.js")).parseWorkflowDefinition({ ...definition, name: options.name });
      const created = await withWorkflows(await resolveConfig(command), (service) => service.create(operator, definition));
      if (options.json) printJson((await loadApiViews()).workflowView(created));
      else printLine(`created workflow ${created.name} (${created.id})`);
    });

  workflows
    .command("update")
    .description("save a new version of a workflow from a definition file (runs started before keep their version)")
    .argument("<workflow>", "name or id")
    .argument("<file>", "the definition file (YAML, or JSON when it ends in .json)")
    .option("--json", "print JSON")
    .action(async (reference: string, file: string, options: JsonFlag, command: Command) => {
      const definition = await readDefinitionFile(file);
      const updated = await withWorkflows(await resolveConfig(command), (service) => service.update(operator, reference, definition));
      if (options.json) printJson((await loadApiViews()).workflowView(updated));
      else printLine(`saved workflow ${updated.name} (${updated.id}) version ${updated.version}`);
    });

  workflows
    .command("versions")
    .description("list a workflow's versions, newest first")
    .argument("<workflow>", "name or id")
    .option("--json", "print JSON")
    .action(async (reference: string, options: JsonFlag, command: Command) => {
      const page = await withWorkflows(await resolveConfig(command), (service) => service.listVersions(operator, reference, { after: undefined, limit: 100, order: "desc" }));
      if (options.json) {
        printJson(page.items.map((await loadApiViews()).workflowVersionView));
        return;
      }
      printTable(
        ["VERSION", "NAME", "STEPS", "CREATED"],
        page.items.map((version) => [`${version.version}${version.version === page.workflow.version ? " (latest)" : ""}`, version.definition.name, String(version.definition.steps.length), formatTime(version.createdAt)]),
        "no versions",
      );
    });

  workflows
    .command("ls")
    .description("list workflows")
    .option("--json", "print JSON")
    .action(async (options: JsonFlag, command: Command) => {
      const list = await withWorkflows(await resolveConfig(command), (service) => service.list(operator));
      if (options.json) {
        printJson(list.map((await loadApiViews()).workflowView));
        return;
      }
      printTable(
        ["NAME", "ID", "VERSION", "OWNER", "STEPS", "CREATED"],
        list.map((workflow) => [workflow.name, workflow.id, String(workflow.version), workflow.ownerId, String(workflow.definition.steps.length), formatTime(workflow.createdAt)]),
        "no workflows; create one with `aiplus workflows create <file>` or `--template chaining`",
      );
    });

  workflows
    .command("show")
    .description("show a workflow's definition (YAML): the latest version, or --version N")
    .argument("<workflow>", "name or id")
    .option("--workflow-version <n>", "an earlier version", parseVersion)
    .option("--json", "print JSON")
    .action(async (reference: string, options: JsonFlag & { workflowVersion?: number }, command: Command) => {
      const { workflow, version } = await withWorkflows(await resolveConfig(command), async (service) => {
        if (options.workflowVersion === undefined) {
          const latest = await service.get(operator, reference);
          return { workflow: latest, version: latest.version };
        }
        const found = await service.getVersion(operator, reference, options.workflowVersion, "workflow_version");
        return { workflow: { ...found.workflow, definition: found.version.definition }, version: found.version.version };
      });
      if (options.json) {
        printJson({ ...(await loadApiViews()).workflowView(workflow), version });
        return;
      }
      const { formatWorkflowFile } = await import("../../workflows/index.js");
      printLine(`# workflow ${workflow.name} (${workflow.id}) version ${version} of ${workflow.version}, owner ${workflow.ownerId}, created ${formatTime(workflow.createdAt)}`);
      process.stdout.write(formatWorkflowFile(workflow.definition, "yaml"));
    });

  workflows
    .command("rm")
    .description("delete a workflow (its runs stay)")
    .argument("<workflow>", "name or id")
    .action(async (reference: string, _options: unknown, command: Command) => {
      const workflow = await withWorkflows(await resolveConfig(command), (service) => service.remove(operator, reference));
      printLine(`removed workflow ${workflow.name} (${workflow.id})`);
    });

  workflows
    .command("run")
    .description("run a workflow in this process until it finishes or waits for human input; prints its output")
    .argument("<workflow>", "name or id")
    .option("--input <key=value>", "an input (repeatable; the value is JSON when it parses, else text)", collectInput, {})
    .option("--workflow-version <n>", "run an earlier version (default: the latest)", parseVersion)
    .option("--follow", "print each step as it finishes")
    .option("--json", "print the run as JSON")
    .action(async (reference: string, options: JsonFlag & { input: Record<string, unknown>; workflowVersion?: number; follow?: boolean }, command: Command) => {
      const run = await withPlatform(await resolveConfig(command), async (platform) => {
        // Started through the API with the key `aiplus run` uses: every model call (llm and agent steps, agents' own
        // runs) is metered in the ledger to `aiplus-cli-run`, and agent steps run as that key's durable agent runs.
        const { cliRunKey } = await import("../run/cli-run-key.js");
        const body = JSON.stringify({ inputs: options.input, ...(options.workflowVersion === undefined ? {} : { version: options.workflowVersion }) });
        const post = async (key: string) =>
          platform.app.request(`/v1/workflows/${encodeURIComponent(reference)}/runs`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
        let response = await post(await cliRunKey(platform));
        if (response.status === 401) response = await post(await cliRunKey(platform, { renew: true }));
        if (!response.ok) {
          const failure = (await response.json().catch(() => undefined)) as { error?: { message?: string; param?: string; code?: string } } | undefined;
          throw new InvalidRequestError({ message: failure?.error?.message ?? `the run could not start (HTTP ${response.status})`, param: failure?.error?.param, code: failure?.error?.code });
        }
        let current = await platform.workflows.getRun(operator, ((await response.json()) as { id: string }).id);
        const printed = new Set<string>();
        for (;;) {
          current = await platform.workflows.getRun(operator, current.id);
          if (options.follow && !options.json) {
            for (const step of current.steps) {
              const line = `${step.key}: ${step.status}`;
              if (step.status !== "running" && !printed.has(line)) {
                printed.add(line);
                printLine(`step ${line}${step.status === "completed" ? ` ${abbreviate(step.output)}` : step.error ? ` (${step.error})` : ""}`);
              }
            }
          }
          if (current.status !== "queued" && current.status !== "running") return current;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      });
      await printRun(run, options.json === true);
      if (run.status === "failed") process.exitCode = 1;
    });

  workflows
    .command("runs")
    .description("show a run: status, steps, output")
    .argument("<run-id>", "the run id")
    .option("--json", "print JSON")
    .action(async (runId: string, options: JsonFlag, command: Command) => {
      const run = await withWorkflows(await resolveConfig(command), (service) => service.getRun(operator, runId));
      if (!options.json) printTable(["STEP", "STATUS", "ATTEMPTS", "OUTPUT"], run.steps.map((step) => [step.key, step.status, String(step.attempts), step.error ?? abbreviate(step.output)]), "no steps yet");
      await printRun(run, options.json === true);
    });

  return workflows;
}

async function printRun(run: WorkflowRunView, json: boolean): Promise<void> {
  if (json) {
    printJson((await loadApiViews()).workflowRunView(run));
    return;
  }
  printLine(`run ${run.id}: ${run.status}`);
  if (run.status === "completed") printLine(typeof run.output === "string" ? run.output : JSON.stringify(run.output, null, 2));
  if (run.error) printLine(`error: ${run.error.message}`);
  const waiting = run.steps.find((step) => step.status === "waiting");
  if (run.status === "awaiting_input" && waiting) printLine(`waiting at step ${waiting.key}: answer in the approvals inbox (GET /v1/approvals) or with POST /v1/workflow-runs/${run.id}/input`);
}

function abbreviate(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? "";
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

function parseVersion(value: string): number {
  const version = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(version) || version < 1) throw new InvalidRequestError({ message: `--workflow-version takes a version number (1 or more), got '${value}'`, param: "workflow_version" });
  return version;
}

function collectInput(value: string, previous: Record<string, unknown>): Record<string, unknown> {
  const equals = value.indexOf("=");
  if (equals <= 0) throw new InvalidRequestError({ message: `--input takes key=value, got '${value}'` });
  const raw = value.slice(equals + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw) as unknown;
  } catch {
    // text
  }
  return { ...previous, [value.slice(0, equals)]: parsed };
}

async function readDefinitionFile(file: string): Promise<WorkflowDefinition> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    throw new InvalidRequestError({ message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, cause: error });
  }
  const { parseWorkflowFile } = await import("../../workflows/index.js");
  try {
    return parseWorkflowFile(text, path.extname(file).toLowerCase() === ".json" ? "json" : "yaml");
  } catch (error) {
    if (error instanceof InvalidRequestError) throw new InvalidRequestError({ message: `${file}: ${error.message}`, param: error.param, code: error.code, cause: error });
    throw error;
  }
}

/** The workflow service over the state database, for commands that do not run anything. */
async function withWorkflows<Result>(config: Config, use: (service: WorkflowService) => Promise<Result>): Promise<Result> {
  const { createWorkflowService } = await import("../../workflows/index.js");
  const { pino } = await import("pino");
  const notHere = async (): Promise<never> => {
    throw new Error("steps run with `aiplus workflows run` or a server");
  };
  return withDatabase(config, (database) => use(createWorkflowService({ database, logger: pino({ level: "silent" }), runners: { llm: notHere, agent: notHere, tool: notHere, code: notHere, toolNeedsApproval: () => false } })));
}
