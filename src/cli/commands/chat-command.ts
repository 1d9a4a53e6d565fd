import { Command } from "commander";
import { resolveConfig, withPlatform } from "../cli-context.js";
import { parsePositiveInteger } from "../parse-options.js";

type ChatOptions = { system?: string; maxTokens?: number };

/** `aiplus chat <model>`: a streaming chat in the terminal, in-process (no server needed), metered in the ledger. */
export function chatCommand(): Command {
  return new Command("chat")
    .description("chat with a model in the terminal (reads one message per line from piped stdin)")
    .argument("<model>", "model name (local or served by a provider)")
    .option("--system <text>", "system message")
    .option("--max-tokens <n>", "maximum tokens per reply", parsePositiveInteger)
    .addHelpText("after", "\nRuns in this process (no server needed); usage is recorded in the ledger without a key.")
    .action(async (modelName: string, options: ChatOptions, command: Command) => {
      const config = await resolveConfig(command);
      const { createCliUsageMeter } = await import("../chat/cli-usage-meter.js");
      const { runChatRepl } = await import("../chat/chat-repl.js");
      // In-process, without listening: stdout carries only the conversation, logs go to stderr.
      await withPlatform(config, async (platform) => {
        const { model } = await platform.gateway.languageModel(modelName);
        const openTurn = createCliUsageMeter({ maas: platform.maas });
        await runChatRepl({
          model,
          // The name as registered (`Stories260K` for `stories260k`): the ledger and prices use it.
          modelName: model.modelId,
          openTurn,
          system: options.system,
          maxTokens: options.maxTokens,
          input: process.stdin,
          output: process.stdout,
          interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
        });
      });
    });
}
