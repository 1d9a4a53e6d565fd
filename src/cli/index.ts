export { createProgram } from "./create-program.js";
export { runCli } from "./run-cli.js";
