import { Command } from "commander";
import { resolveConfig } from "../cli-context.js";
import { printLine } from "../output.js";
import { parsePort, parsePositiveInteger } from "../parse-options.js";

type ServeOptions = { host?: string; port?: number; threads?: number };

/** `aiplus serve`: the OpenAI-compatible API until SIGINT/SIGTERM. */
export function serveCommand(): Command {
  return new Command("serve")
    .description("serve the OpenAI-compatible API and the admin endpoints")
    .option("--host <host>", "interface to listen on (default: $AIPLUS_HOST or 127.0.0.1)")
    .option("--port <port>", "port to listen on, 0 for any free port (default: $AIPLUS_PORT or 8787)", parsePort)
    .option("--threads <n>", "llama.cpp threads per model (default: $AIPLUS_THREADS or the physical cores)", parsePositiveInteger)
    .action(async (options: ServeOptions, command: Command) => {
      const config = await resolveConfig(command, { host: options.host, port: options.port, threads: options.threads });
      const { createPlatform } = await import("../../platform/index.js");
      // The generated admin key is printed below, after the URL, on stdout.
      const platform = await createPlatform({ config, onAdminKeyCreated: () => undefined });
      let started: Awaited<ReturnType<typeof platform.start>>;
      try {
        started = await platform.start();
      } catch (error) {
        await platform.dispose();
        throw error;
      }
      const lines = [`aiplus is serving the OpenAI-compatible API at ${started.url}/v1 (state in ${config.home})`];
      if (platform.generatedAdminKey !== undefined) lines.push(`admin key (shown once, store it now): ${platform.generatedAdminKey}`);
      printLine(lines.join("\n"));
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      process.stderr.write(`aiplus: ${signal}: shutting down\n`);
      await platform.dispose();
    });
}
