import { Command } from "commander";
import { agentsCommand } from "./commands/agents-command.js";
import { approvalsCommand } from "./commands/approvals-command.js";
import { chatCommand } from "./commands/chat-command.js";
import { engineCommand } from "./commands/engine-command.js";
import { runCommand } from "./commands/run-command.js";
import { arenaCommand, evalCommand } from "./commands/eval/index.js";
import { kbCommand } from "./commands/kb/kb-command.js";
import { keysCommand } from "./commands/keys-command.js";
import { mcpCommand } from "./commands/mcp-command.js";
import { modelsCommand } from "./commands/models-command.js";
import { auditCliAction, auditCommand, policiesCommand } from "./commands/policies-command.js";
import { pricesCommand } from "./commands/prices-command.js";
import { providersCommand } from "./commands/providers-command.js";
import { pullCommand } from "./commands/pull-command.js";
import { runsCommand } from "./commands/runs-command.js";
import { serveCommand } from "./commands/serve-command.js";
import { usageCommand } from "./commands/usage-command.js";
import { workflowsCommand } from "./commands/workflows-command.js";
import { oneLine } from "./cli-error.js";
import { printLine } from "./output.js";

/** The `aiplus` command tree. Errors surface as exceptions (`exitOverride`); `runCli` prints them. */
export function createProgram(version: string): Command {
  const program = new Command("aiplus")
    .description("self-hosted generative AI: local llama.cpp models, an OpenAI-compatible API, keys, quotas and metered usage")
    .version(version, "-v, --version")
    .option("--home <dir>", "state folder: database, models, secret (default: $AIPLUS_HOME or ~/.aiplus)")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", "\nSettings also come from AIPLUS_* environment variables and $AIPLUS_HOME/config.json.");
  for (const command of [
    serveCommand(), modelsCommand(), pullCommand(), providersCommand(), keysCommand(), pricesCommand(), usageCommand(), chatCommand(), kbCommand(), evalCommand(), arenaCommand(), mcpCommand(), agentsCommand(), runCommand(), runsCommand(), approvalsCommand(), workflowsCommand(), policiesCommand(), auditCommand(), engineCommand(),
  ]) {
    program.addCommand(command);
  }
  // `npx aiplus help` / `npx aiplus version`: the same as --help / --version, with no flag for a wrapper to take.
  program.command("version").description("print the version (same as --version)").action(() => printLine(version));
  // Admin commands that change state are written to the audit log before they run.
  program.hook("preAction", (_program, action) => auditCliAction(action));
  configureRecursively(program);
  return program;
}

/** Every command throws instead of exiting and prints commander's own errors as one `aiplus:` line. */
function configureRecursively(command: Command): void {
  command.exitOverride();
  command.showHelpAfterError(false);
  command.configureOutput({
    outputError: (message, write) => write(`aiplus: ${oneLine(message.replace(/^error: /, ""))}\n`),
  });
  for (const child of command.commands) configureRecursively(child);
}
