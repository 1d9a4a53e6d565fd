import { lstatSync, readlinkSync } from "node:fs";
import type { ResolvedSandboxLimits } from "./resolve-sandbox-limits.js";
import type { SandboxLanguage } from "./types.js";

/** The unprivileged uid/gid the program runs as inside the sandbox (`nobody`). */
export const sandboxUserId = 65534;

/** Child file descriptors bwrap reads its inputs from and writes its status to. */
export const sandboxDescriptors = { program: 3, seccomp: 4, status: 5 } as const;

/** Folder of the program inside the sandbox (read-only). */
export const sandboxProgramFolder = "/sandbox";

const mebibyte = 1024 * 1024;

/** How each language's program is stored and started inside the sandbox (interpreters from the host's /usr). */
export function languageCommand(language: SandboxLanguage): { file: string; command: string[] } {
  switch (language) {
    case "python": {
      const file = `${sandboxProgramFolder}/program.py`;
      // -I: isolated (no user site, no PYTHON* variables, script folder not trusted beyond itself); -B: no bytecode.
      return { file, command: ["/usr/bin/python3", "-I", "-B", file] };
    }
    default:
      return language satisfies never;
  }
}

/**
 * bwrap's command line: every namespace unshared (user, pid, net, ipc, uts, cgroup, mount), `nobody` inside, no
 * capabilities, an empty environment, the host's /usr read-only and nothing else of the host (no /etc, /home, /root,
 * /tmp, state folder), a size-limited private /tmp as working directory and /dev/shm, the rest of the file system
 * read-only, the program read-only in /sandbox, the seccomp filter, inherited descriptors closed, and the rlimits set
 * by `prlimit` right before the interpreter starts (inside the user namespace, so RLIMIT_NPROC counts only the sandbox's processes).
 */
export function bubblewrapArguments(language: SandboxLanguage, limits: ResolvedSandboxLimits): string[] {
  const { file, command } = languageCommand(language);
  return sandboxArguments(limits, { binds: ["--ro-bind-data", String(sandboxDescriptors.program), file], env: {}, command });
}

/**
 * The same sandbox for a long-lived process (`spawnSandboxedProcess`): `binds` are host folders bound read-only at
 * the same path (e.g. a server script's folder), `env` is set on top of the fixed environment; `cpuSeconds` of the
 * limits bounds its CPU time.
 */
export function processBubblewrapArguments(limits: ResolvedSandboxLimits, process: { command: string; args: readonly string[]; env: Readonly<Record<string, string>>; binds: readonly string[] }): string[] {
  const binds = process.binds.flatMap((folder) => ["--ro-bind", folder, folder]);
  return sandboxArguments(limits, { binds, env: process.env, command: [process.command, ...process.args] });
}

function sandboxArguments(limits: ResolvedSandboxLimits, inside: { binds: string[]; env: Readonly<Record<string, string>>; command: string[] }): string[] {
  const tmpfsBytes = String(limits.tmpfsMegabytes * mebibyte);
  return [
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--die-with-parent",
    "--new-session",
    "--uid", String(sandboxUserId),
    "--gid", String(sandboxUserId),
    "--hostname", "sandbox",
    "--cap-drop", "ALL",
    "--clearenv",
    "--setenv", "PATH", "/usr/bin:/bin",
    "--setenv", "HOME", "/tmp",
    "--setenv", "TMPDIR", "/tmp",
    "--setenv", "LANG", "C.UTF-8",
    ...Object.entries(inside.env).flatMap(([name, value]) => ["--setenv", name, value]),
    "--ro-bind", "/usr", "/usr",
    ...systemLinks(),
    "--proc", "/proc",
    "--dev", "/dev",
    "--size", tmpfsBytes, "--tmpfs", "/dev/shm",
    "--size", tmpfsBytes, "--tmpfs", "/tmp",
    ...inside.binds,
    "--remount-ro", "/dev",
    "--remount-ro", "/",
    "--chdir", "/tmp",
    "--seccomp", String(sandboxDescriptors.seccomp),
    "--json-status-fd", String(sandboxDescriptors.status),
    "--",
    ...closeInheritedDescriptors,
    "/usr/bin/prlimit",
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--as=${limits.memoryMegabytes * mebibyte}`,
    `--nproc=${limits.processes}`,
    `--fsize=${limits.fileSizeMegabytes * mebibyte}`,
    "--core=0",
    "--nofile=256",
    "--",
    ...inside.command,
  ];
}

/**
 * bwrap hands every descriptor it inherited to the program: one this server inherited without close-on-exec (from a
 * shell or process manager) would be a door out of the sandbox (`openat(fd, "..")`). So the first thing run inside
 * is this trusted step: it closes everything but stdin/stdout/stderr, then execs the rest of the command.
 */
const closeInheritedDescriptors = [
  "/usr/bin/python3",
  "-I",
  "-S",
  "-B",
  "-c",
  "import os, sys\nfor fd in [int(name) for name in os.listdir('/proc/self/fd')]:\n    if fd > 2:\n        try: os.close(fd)\n        except OSError: pass\nos.execv(sys.argv[1], sys.argv[1:])",
];

let links: string[] | undefined;

/**
 * /lib, /lib64, /bin and /sbin as on the host: symlinks into /usr on merged-/usr systems (the usual case), read-only
 * binds where the host still has real folders.
 */
function systemLinks(): string[] {
  if (links) return links;
  const result: string[] = [];
  for (const name of ["bin", "sbin", "lib", "lib64", "lib32", "libx32"]) {
    const host = `/${name}`;
    try {
      const stat = lstatSync(host);
      if (stat.isSymbolicLink()) result.push("--symlink", readlinkSync(host), host);
      else if (stat.isDirectory()) result.push("--ro-bind", host, host);
    } catch {
      // not on this host
    }
  }
  links = result;
  return result;
}
