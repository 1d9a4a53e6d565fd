import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { spawnSandboxedProcess, type SandboxedProcess, type SandboxedProcessRequest } from "../../sandbox/index.js";

/**
 * An MCP client transport over a stdio MCP server that runs in the bubblewrap sandbox (the SDK's StdioClientTransport
 * spawns its process unsandboxed, so it is not used): newline-delimited JSON-RPC on the sandboxed child's stdin and
 * stdout. `start` throws SandboxUnavailableError where the sandbox cannot run; `close` kills the whole sandbox.
 */
export class SandboxedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private process: SandboxedProcess | undefined;
  private readonly buffer = new ReadBuffer();
  private closed = false;

  constructor(private readonly request: SandboxedProcessRequest) {}

  async start(): Promise<void> {
    if (this.process) throw new Error("SandboxedStdioTransport already started");
    const child = await spawnSandboxedProcess(this.request);
    this.process = child;
    child.stdout.on("data", (chunk: Buffer) => {
      child.touch();
      this.buffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (error) {
          this.onerror?.(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    child.stdout.on("error", (error: Error) => this.onerror?.(error));
    void child.exited.then(() => {
      if (!this.closed) {
        const tail = child.stderrTail().trim().split("\n").slice(-3).join(" ").slice(0, 400);
        this.onerror?.(new Error(`the sandboxed MCP server exited${tail ? `: ${tail}` : ""}`));
      }
      this.finish();
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const child = this.process;
    if (!child || this.closed) throw new Error("the sandboxed MCP server is not running");
    child.touch();
    await new Promise<void>((resolve, reject) => child.stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.process?.dispose();
    this.finish();
  }

  private finish(): void {
    this.buffer.clear();
    const onclose = this.onclose;
    this.onclose = undefined;
    this.closed = true;
    onclose?.();
  }
}
