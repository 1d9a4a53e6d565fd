/** Languages the sandbox can run (the interpreter comes from the host's read-only /usr). */
export type SandboxLanguage = "python";

/** Resource limits of one sandboxed run. Every field has a default and a ceiling (see `resolveSandboxLimits`). */
export type SandboxLimits = {
  /** Wall-clock limit; the whole sandbox (its PID namespace) is killed after it. Defaults to 10 000 ms; at most 600 000. */
  wallTimeMilliseconds?: number | undefined;
  /** CPU seconds per process (RLIMIT_CPU; SIGXCPU, then SIGKILL a second later). Defaults to the wall time rounded up. */
  cpuSeconds?: number | undefined;
  /** Address space per process (RLIMIT_AS) in MiB. Defaults to 512; at most 4096. */
  memoryMegabytes?: number | undefined;
  /** Processes and threads of the sandbox user (RLIMIT_NPROC, counted in the sandbox's user namespace). Defaults to 32. */
  processes?: number | undefined;
  /** Largest file the program may write (RLIMIT_FSIZE) in MiB. Defaults to 16. */
  fileSizeMegabytes?: number | undefined;
  /** Size of the private writable /tmp (and of /dev/shm) in MiB. Defaults to 64. */
  tmpfsMegabytes?: number | undefined;
  /** Bytes of stdout and of stderr kept (the tail of each). Defaults to 65 536. */
  keptOutputBytes?: number | undefined;
  /** Output (stdout + stderr) after which the sandbox is killed. Defaults to 1 MiB. */
  outputLimitBytes?: number | undefined;
};

/** One program to run in the sandbox. */
export type SandboxRequest = {
  language: SandboxLanguage;
  /** Source of the program; it is placed read-only at `/sandbox/program.<extension>` and run with /tmp as working directory. */
  program: string;
  /** Standard input of the program. Defaults to empty. */
  stdin?: string | undefined;
  limits?: SandboxLimits | undefined;
  /** Aborting kills the sandbox and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Path of `bwrap`. Defaults to the first of /usr/bin, /usr/local/bin, /bin that has it. */
  bubblewrap?: string | undefined;
};

/**
 * How a run ended:
 * - `passed`: exit code 0;
 * - `failed`: another exit code (an exception, a failed assertion, MemoryError at the memory limit);
 * - `timeout`: the wall-clock or the CPU-time limit;
 * - `killed`: stopped by a signal, or killed for producing more output than allowed.
 */
export type SandboxStatus = "passed" | "failed" | "timeout" | "killed";

export type SandboxResult = {
  status: SandboxStatus;
  /** Why it did not pass: `exit code 1`, `memory limit`, `cpu time limit`, `wall time limit`, `output limit`, `signal SIGSEGV`. */
  reason: string | undefined;
  /** The program's exit code (128 + N when signal N ended it), or null when the sandbox was killed. */
  exitCode: number | null;
  /** Tail of standard output (at most `keptOutputBytes`). */
  stdout: string;
  /** Tail of standard error (at most `keptOutputBytes`). */
  stderr: string;
  /** Whether output was dropped (more than `keptOutputBytes` on a stream). */
  outputTruncated: boolean;
  durationMilliseconds: number;
};

/** Whether the sandbox can run here (probed once per bwrap path). */
export type SandboxAvailability = { available: true } | { available: false; reason: string };
