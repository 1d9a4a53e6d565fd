import { z } from "zod";
import { InvalidRequestError } from "../spec/index.js";
import type { SandboxLimits } from "./types.js";

const mebibyte = 1024 * 1024;

const limitsSchema = z.object({
  wallTimeMilliseconds: z.number().int().min(100).max(600_000).default(10_000),
  cpuSeconds: z.number().int().min(1).max(600).optional(),
  memoryMegabytes: z.number().int().min(64).max(4096).default(512),
  processes: z.number().int().min(1).max(256).default(32),
  fileSizeMegabytes: z.number().int().min(1).max(1024).default(16),
  tmpfsMegabytes: z.number().int().min(1).max(1024).default(64),
  keptOutputBytes: z.number().int().min(1024).max(16 * mebibyte).default(64 * 1024),
  outputLimitBytes: z.number().int().min(1024).max(64 * mebibyte).default(mebibyte),
});

/** Limits with every default filled in. */
export type ResolvedSandboxLimits = Required<{ [Name in keyof SandboxLimits]: number }>;

/** Fills in the defaults; a value outside its range is an InvalidRequestError naming `limits.<field>`. */
export function resolveSandboxLimits(limits: SandboxLimits = {}): ResolvedSandboxLimits {
  const defined = Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
  const parsed = limitsSchema.safeParse(defined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = `limits.${issue?.path.join(".") ?? ""}`;
    throw new InvalidRequestError({ message: `invalid sandbox ${param}: ${issue?.message ?? "invalid value"}`, param, code: "invalid_sandbox_limits" });
  }
  const resolved = parsed.data;
  return { ...resolved, cpuSeconds: resolved.cpuSeconds ?? Math.max(1, Math.ceil(resolved.wallTimeMilliseconds / 1000)) };
}
