import { exitQuietlyOnClosedPipe } from "./output.js";
import { runCli } from "./run-cli.js";

// The only place the CLI reads process state directly; everything else takes options.
exitQuietlyOnClosedPipe(process.stdout);
exitQuietlyOnClosedPipe(process.stderr);
process.exitCode = await runCli(process.argv, { debug: process.env.AIPLUS_DEBUG === "1" });
