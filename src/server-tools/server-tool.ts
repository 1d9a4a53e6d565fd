import type { FileSearchCallItem } from "../responses/index.js";
import type { JsonSchema } from "../spec/index.js";

/** What a server tool's `execute` gets besides its arguments. */
export type ServerToolContext = {
  /** Aborts when the run is cancelled or the server stops; a tool should stop its work and reject. */
  signal: AbortSignal;
  /**
   * `<response id>:<call id>`: the same for every execution of one call (a call re-run after a crash keeps it), so a
   * tool with external side effects can use it as its idempotency key.
   */
  idempotencyKey: string;
  /** The API key that started the run (for per-key grants); `isAdmin` from that key. */
  caller: { keyId: string; isAdmin: boolean; allowCodeExecution?: boolean | undefined };
};

/** What a tool's own output item is built from (see `ServerTool.toOutputItem`). */
export type ServerToolCallResult = { id: string; arguments: string; output: string | null; error: string | null; status: "in_progress" | "completed" | "failed" };

/**
 * A tool the server executes inside a response's run (built-ins, MCP tools). The model sees `name`, `description`
 * and `parameters` as a function; the run executes the call, logs its result and continues the model with it.
 */
export type ServerTool = {
  /** The function name the model calls (1-64 letters, digits, `_` or `-`), unique in the registry. */
  name: string;
  /** Other names requests may use for it (e.g. `python` for `code_interpreter`); the tool then runs under that name. */
  aliases?: readonly string[] | undefined;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
  /** Shown as `server_label` on the call's items. Defaults to "aiplus". */
  serverLabel?: string | undefined;
  /**
   * Whether running the call twice has the effect of running it once. A call cut by a crash (started, no result
   * logged) is run again only when true; otherwise its result is the error "interrupted" (never a duplicate effect).
   */
  idempotent: boolean;
  /** Whether every call waits for a person's approval before it runs. */
  requiresApproval: boolean;
  /** Whether only keys with the code-execution permission (or admin keys) may use it (403 when a request names it). */
  requiresCodeExecution?: boolean | undefined;
  /**
   * The call's output item when it is not an `mcp_call` (e.g. `file_search_call`); called with `status:
   * "in_progress"` when the call starts and again with its result.
   */
  toOutputItem?: ((result: ServerToolCallResult) => FileSearchCallItem) | undefined;
  /**
   * Runs one call with the parsed JSON arguments; resolves with the text the model receives. A rejection is the
   * call's error result (the model sees it; the run goes on).
   */
  execute(args: unknown, context: ServerToolContext): Promise<string>;
};
