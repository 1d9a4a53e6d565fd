export { evalCommand } from "./eval-command.js";
export { arenaCommand } from "./arena-command.js";
