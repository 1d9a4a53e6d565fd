export { runSandboxed } from "./run-sandboxed.js";
export { type SandboxedProcess, type SandboxedProcessRequest, spawnSandboxedProcess } from "./spawn-sandboxed-process.js";
export { assertSandboxAvailable, defaultBubblewrapPath, sandboxAvailability } from "./sandbox-availability.js";
export { resolveSandboxLimits, type ResolvedSandboxLimits } from "./resolve-sandbox-limits.js";
export { buildSeccompFilter, deniedSyscalls } from "./seccomp-filter.js";
export type { SandboxAvailability, SandboxLanguage, SandboxLimits, SandboxRequest, SandboxResult, SandboxStatus } from "./types.js";
