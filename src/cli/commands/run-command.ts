import { Command } from "commander";
import { resolveConfig, withPlatform } from "../cli-context.js";

type RunOptions = { follow?: boolean; user?: string };

/**
 * `aiplus run <agent> "<task>"`: runs an agent on a task in-process (no server needed) through the same Responses
 * run loop as `POST /v1/responses` with `agent`; prints the answer (with `--follow`, text as it is generated and the
 * plan and tool calls on stderr). A run that does not complete exits non-zero with one `aiplus: …` line.
 */
export function runCommand(): Command {
  return new Command("run")
    .description("run an agent on a task (in-process) and print its answer")
    .argument("<agent>", "agent name or id")
    .argument("<task>", "the task (the user message)")
    .option("--follow", "stream the run: text as it is generated; plans and tool calls on stderr")
    .option("--user <id>", "the end user (memory and recall are per agent, key and user)")
    .addHelpText("after", "\nRuns in this process; the calls are billed in the ledger to the key 'aiplus-cli-run' (created on first use).")
    .action(async (agent: string, task: string, options: RunOptions, command: Command) => {
      const config = await resolveConfig(command);
      const { cliRunKey } = await import("../run/cli-run-key.js");
      const { outputText, printRunEvents } = await import("../run/print-run-events.js");
      const { InvalidRequestError } = await import("../../spec/index.js");
      await withPlatform(config, async (platform) => {
        const body = JSON.stringify({ agent: { id: agent }, input: task, stream: options.follow === true, ...(options.user !== undefined ? { user: options.user } : {}) });
        const post = async (key: string) => platform.app.request("/v1/responses", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
        let response = await post(await cliRunKey(platform));
        if (response.status === 401) response = await post(await cliRunKey(platform, { renew: true }));
        if (!response.ok) {
          const failure = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
          throw new InvalidRequestError({ message: failure?.error?.message ?? `the run could not start (HTTP ${response.status})` });
        }
        const final = options.follow ? await printRunEvents(response.body!, process.stdout, process.stderr) : ((await response.json()) as Awaited<ReturnType<typeof printRunEvents>>);
        if (!final) throw new InvalidRequestError({ message: "the run ended without a response" });
        if (!options.follow) {
          const text = outputText(final);
          if (text !== "") process.stdout.write(`${text}\n`);
        }
        if (final.status !== "completed") {
          const reason = final.incomplete_details?.reason ?? final.error?.message ?? "";
          throw new InvalidRequestError({ message: `the run ended ${final.status}${reason ? `: ${reason}` : ""}` });
        }
      });
    });
}
