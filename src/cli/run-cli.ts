import fs from "node:fs";
import { CommanderError } from "commander";
import { formatCliError } from "./cli-error.js";
import { createProgram } from "./create-program.js";

/** Exit codes: 0 success, 1 a failed command (bad input, unknown model, …), 2 a usage error (bad flags). */
export async function runCli(argv: readonly string[], options: { debug?: boolean } = {}): Promise<number> {
  const program = createProgram(packageVersion());
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed help or its one-line error.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(formatCliError(error, options.debug ?? false));
    return 1;
  }
}

function packageVersion(): string {
  try {
    // src/cli/run-cli.ts when run from source, dist/aiplus.js when bundled.
    const candidates = [new URL("../../package.json", import.meta.url), new URL("../package.json", import.meta.url)];
    const file = candidates.find((candidate) => fs.existsSync(candidate));
    if (!file) return "0.0.0";
    const text = fs.readFileSync(file, "utf8");
    const { version } = JSON.parse(text) as { version?: unknown };
    return typeof version === "string" ? version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}
