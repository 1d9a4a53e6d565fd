import readline from "node:readline";
import type { ChatMessage, LanguageModel, Usage } from "../../spec/index.js";
import type { CliMeteredTurn } from "./cli-usage-meter.js";
import { runChatTurn } from "./chat-turn.js";

export type ChatReplOptions = {
  model: LanguageModel;
  modelName: string;
  /** Opens the ledger entry of one turn. */
  openTurn: (model: string) => Promise<CliMeteredTurn>;
  system?: string | undefined;
  maxTokens?: number | undefined;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** A terminal: show a prompt; Ctrl+C stops a reply, Ctrl+C at the prompt (or Ctrl+D) quits. */
  interactive: boolean;
};

/**
 * A chat loop: one user message per line, the reply streamed as it is generated. Ends at end of input (piped stdin)
 * or `/exit`. Every turn is one ledger entry; a failed turn is reported and the loop goes on when interactive.
 */
export async function runChatRepl(options: ChatReplOptions): Promise<void> {
  const lines = readline.createInterface({ input: options.input, output: options.interactive ? options.output : undefined, terminal: options.interactive });
  const messages: ChatMessage[] = options.system ? [{ role: "system", content: options.system }] : [];
  let current: AbortController | undefined;
  lines.on("SIGINT", () => {
    if (current) current.abort(new Error("stopped"));
    else lines.close();
  });
  const prompt = () => {
    if (options.interactive) lines.prompt();
  };
  if (options.interactive) {
    options.output.write(`chatting with ${options.modelName}; /exit or Ctrl+D quits, Ctrl+C stops a reply\n`);
    lines.setPrompt("> ");
  }
  prompt();
  for await (const line of lines) {
    const content = line.trim();
    if (content === "/exit" || content === "/quit") break;
    if (content === "") {
      prompt();
      continue;
    }
    messages.push({ role: "user", content });
    current = new AbortController();
    try {
      const reply = await meteredTurn(options, messages, current.signal);
      messages.push({ role: "assistant", content: reply });
    } catch (error) {
      messages.pop();
      if (!options.interactive) throw error;
      options.output.write(`\n[error: ${error instanceof Error ? error.message : String(error)}]\n`);
    } finally {
      current = undefined;
    }
    prompt();
  }
  lines.close();
}

async function meteredTurn(options: ChatReplOptions, messages: ChatMessage[], signal: AbortSignal): Promise<string> {
  const turn = await options.openTurn(options.modelName);
  let usage: Usage = { inputTokens: undefined, outputTokens: undefined };
  try {
    const result = await runChatTurn({
      model: options.model,
      messages,
      maxTokens: options.maxTokens,
      signal,
      onText: (text) => options.output.write(text),
      onRoute: (route) => turn.setRoute(route),
      onProgress: (progress) => {
        usage = progress;
        turn.checkpoint(progress);
      },
    });
    options.output.write(signal.aborted ? " [stopped]\n" : "\n");
    await turn.settle({ usage: result.usage, status: signal.aborted || result.finishReason === "cancelled" ? "cancelled" : "ok" });
    return result.text;
  } catch (error) {
    const cancelled = signal.aborted;
    await turn.settle({ usage, status: cancelled ? "cancelled" : "error", error: error instanceof Error ? error.message : String(error) });
    if (cancelled) {
      options.output.write(" [stopped]\n");
      return "";
    }
    throw error;
  }
}
