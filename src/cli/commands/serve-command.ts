import { Command } from "commander";
import { resolveConfig } from "../cli-context.js";
import { printLine } from "../output.js";
import { parsePort, parsePositiveInteger } from "../parse-options.js";

type ServeOptions = { host?: string; port?: number; threads?: number };

/**
 * `aiplus serve`: the OpenAI-compatible API until SIGINT/SIGTERM. The first signal stops gracefully (see
 * `Platform.dispose`: running requests get `drainSeconds` to finish); a second one exits at once (the next start
 * settles the ledger entries left open as interrupted).
 */
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
      const signal = await nextSignal();
      process.stderr.write(`aiplus: ${signal}: shutting down (running requests get ${config.drainSeconds} s to finish; ${signal} again exits at once)\n`);
      void nextSignal().then((again) => {
        process.stderr.write(`aiplus: ${again} again: exiting now\n`);
        process.exit(1);
      });
      await platform.dispose();
    });
}

/** The next SIGINT or SIGTERM (both listeners are removed once one arrives). */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const received = (signal: NodeJS.Signals) => {
      process.off("SIGINT", received);
      process.off("SIGTERM", received);
      resolve(signal);
    };
    process.on("SIGINT", received);
    process.on("SIGTERM", received);
  });
}
