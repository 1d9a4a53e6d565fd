import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSeccompFilter, runSandboxed, sandboxAvailability, type SandboxRequest } from "../../src/sandbox/index.js";
import { InvalidRequestError, SandboxUnavailableError } from "../../src/spec/index.js";

const repositoryPackageJson = path.resolve(import.meta.dirname, "../../package.json");
let hostFolder: string;
let secretFile: string;

const python = (program: string, limits: SandboxRequest["limits"] = {}, extra: Partial<SandboxRequest> = {}) =>
  runSandboxed({ language: "python", program, limits: { wallTimeMilliseconds: 20_000, ...limits }, ...extra });

/** Host processes still running a sandboxed program (its command line names /sandbox/program.py). */
function sandboxProcessesOnHost(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (commandLine.includes("/sandbox/program.py")) found.push(`${entry}: ${commandLine.replaceAll("\0", " ")}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

beforeAll(() => {
  hostFolder = mkdtempSync(path.join(os.tmpdir(), "aiplus-sandbox-host-"));
  secretFile = path.join(hostFolder, "secret.txt");
  writeFileSync(secretFile, "host secret");
});
afterAll(() => {
  rmSync(hostFolder, { recursive: true, force: true });
});

describe("code sandbox (bubblewrap, real python3)", () => {
  it("is available here, and runs a normal program with stdin to completion", async () => {
    expect(await sandboxAvailability()).toEqual({ available: true });
    const result = await python("import sys\nprint(sum(int(line) for line in sys.stdin))\n", {}, { stdin: "1\n2\n39\n" });
    expect(result).toMatchObject({ status: "passed", reason: undefined, exitCode: 0, stdout: "42\n", stderr: "", outputTruncated: false });
  });

  it("runs as nobody with an empty environment, a private /tmp, no host folders and no inherited descriptors", async () => {
    const result = await python(
      "import os, json\nprint(json.dumps({'uid': os.getuid(), 'gid': os.getgid(), 'env': sorted(os.environ), 'cwd': os.getcwd(), 'root': sorted(os.listdir('/')), 'tmp': os.listdir('/tmp'), 'fds': sorted(os.listdir('/proc/self/fd')), 'hostname': os.uname().nodename}))\n",
    );
    expect(result.status, result.stderr).toBe("passed");
    const seen = JSON.parse(result.stdout) as { uid: number; gid: number; env: string[]; cwd: string; root: string[]; tmp: string[]; fds: string[]; hostname: string };
    expect(seen).toMatchObject({ uid: 65534, gid: 65534, cwd: "/tmp", tmp: [], hostname: "sandbox" });
    expect(seen.env.filter((name) => !["PATH", "HOME", "TMPDIR", "LANG", "PWD", "LC_CTYPE"].includes(name))).toEqual([]);
    for (const hostOnly of ["etc", "home", "root", "work", "var", "opt", "run", "srv", "mnt"]) expect(seen.root).not.toContain(hostOnly);
    expect(seen.fds.filter((fd) => Number(fd) > 3)).toEqual([]); // 0-2, and the folder listdir itself opened
  });

  it("cannot read host files: /etc/passwd, the repository, a file in the host's /tmp", async () => {
    const program = [
      "import os",
      `for target in ['/etc/passwd', '/etc/shadow', ${JSON.stringify(repositoryPackageJson)}, ${JSON.stringify(secretFile)}, '/root', '/proc/1/root/etc/passwd']:`,
      "    try:",
      "        with open(target) as handle: print('READ', target, handle.read()[:40])",
      "    except OSError as error:",
      "        print('DENIED', target, type(error).__name__)",
    ].join("\n");
    const result = await python(program);
    expect(result.status, result.stderr).toBe("passed");
    expect(result.stdout).not.toContain("READ");
    expect(result.stdout).not.toContain("host secret");
    expect(result.stdout.match(/DENIED/g)).toHaveLength(6);
  });

  it("cannot write outside its private /tmp; nothing it writes reaches the host", async () => {
    const marker = `aiplus-sandbox-marker-${process.pid}-${Date.now()}`;
    const program = [
      `for target in ['/tmp/${marker}', ${JSON.stringify(path.join(hostFolder, "written.txt"))}, ${JSON.stringify(path.join(path.dirname(repositoryPackageJson), marker))}, '/usr/${marker}', '/${marker}', '/dev/${marker}']:`,
      "    try:",
      "        with open(target, 'w') as handle: handle.write('pwned')",
      "        print('WROTE', target)",
      "    except OSError as error:",
      "        print('DENIED', target, type(error).__name__)",
    ].join("\n");
    const result = await python(program);
    expect(result.status, result.stderr).toBe("passed");
    expect(result.stdout).toContain(`WROTE /tmp/${marker}`); // its own throw-away /tmp only
    expect(result.stdout.match(/DENIED/g)).toHaveLength(5);
    expect(existsSync(path.join(os.tmpdir(), marker))).toBe(false);
    expect(readdirSync(hostFolder)).toEqual(["secret.txt"]);
    expect(existsSync(path.join(path.dirname(repositoryPackageJson), marker))).toBe(false);
  });

  it("fills neither the host's memory nor disk through /tmp: the tmpfs is size-limited", async () => {
    const result = await python("chunk = b'x' * (1024 * 1024)\nfor index in range(100):\n    with open(f'/tmp/f{index}', 'wb') as handle: handle.write(chunk)\n", { tmpfsMegabytes: 8 });
    expect(result.status).toBe("failed");
    expect(result.stderr).toMatch(/No space left on device/);
  });

  it("has no network: a TCP server on the host's 127.0.0.1 is unreachable", async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections += 1;
      socket.end("hello");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const program = [
        "import socket",
        `for family, address in [(socket.AF_INET, ('127.0.0.1', ${port})), (socket.AF_INET6, ('::1', ${port})), (socket.AF_INET, ('1.1.1.1', 53))]:`,
        "    try:",
        "        connection = socket.socket(family, socket.SOCK_STREAM)",
        "        connection.settimeout(2)",
        "        connection.connect(address)",
        "        print('CONNECTED', address, connection.recv(5))",
        "    except OSError as error:",
        "        print('BLOCKED', address, type(error).__name__)",
      ].join("\n");
      const result = await python(program);
      expect(result.status, result.stderr).toBe("passed");
      expect(result.stdout).not.toContain("CONNECTED");
      expect(result.stdout.match(/BLOCKED .* PermissionError/g)).toHaveLength(3); // socket() itself is refused by seccomp
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it("refuses namespace, mount, ptrace and bpf calls (seccomp, no capabilities)", async () => {
    const program = [
      "import ctypes, os",
      "libc = ctypes.CDLL(None, use_errno=True)",
      "def attempt(name, call):",
      "    result = call()",
      "    print(name, result, os.strerror(ctypes.get_errno()) if result != 0 else 'ok')",
      "attempt('unshare', lambda: libc.unshare(0x10000000))",
      "attempt('mount', lambda: libc.mount(b'none', b'/tmp', b'tmpfs', 0, None))",
      "attempt('ptrace', lambda: libc.ptrace(0, 0, None, None))",
      "attempt('setns', lambda: libc.setns(0, 0))",
      "attempt('chroot', lambda: libc.chroot(b'/tmp'))",
      "attempt('bpf', lambda: libc.syscall(321 if os.uname().machine == 'x86_64' else 280, 0, None, 0))",
    ].join("\n");
    const result = await python(program);
    expect(result.status, result.stderr).toBe("passed");
    for (const name of ["unshare", "mount", "ptrace", "setns", "chroot", "bpf"]) expect(result.stdout).toMatch(new RegExp(`^${name} -1 Operation not permitted$`, "m"));
  });

  it("contains a fork bomb: the process limit stops it, the wall clock ends it, nothing survives", async () => {
    const counted = await python(
      "import os, time\ncount = 0\nwhile True:\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n    if pid == 0:\n        time.sleep(60)\n        os._exit(0)\n    count += 1\nprint(count)\n",
      { processes: 16 },
    );
    expect(counted.status, counted.stderr).toBe("passed");
    expect(Number(counted.stdout)).toBeLessThan(16);

    const bomb = await python("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", { wallTimeMilliseconds: 2000, processes: 16 });
    expect(bomb).toMatchObject({ status: "timeout", reason: "wall time limit" });
    expect(sandboxProcessesOnHost()).toEqual([]);
    expect((await python("print('still fine')")).stdout).toBe("still fine\n");
  });

  it("fails a 2 GB allocation at the memory limit", async () => {
    const result = await python("data = bytearray(2 * 1024 ** 3)\nprint('allocated')\n", { memoryMegabytes: 256 });
    expect(result).toMatchObject({ status: "failed", reason: "memory limit", exitCode: 1 });
    expect(result.stdout).not.toContain("allocated");
    expect(result.stderr).toContain("MemoryError");
  });

  it("stops an infinite loop at the CPU-time limit, and a sleeper at the wall-clock limit", async () => {
    const spinning = await python("while True:\n    pass\n", { cpuSeconds: 1, wallTimeMilliseconds: 20_000 });
    expect(spinning).toMatchObject({ status: "timeout", reason: "cpu time limit" });
    const sleeping = await python("import time\ntime.sleep(600)\n", { wallTimeMilliseconds: 1000 });
    expect(sleeping).toMatchObject({ status: "timeout", reason: "wall time limit", exitCode: null });
    expect(sandboxProcessesOnHost()).toEqual([]);
  });

  it("caps huge output: keeps a bounded tail and kills the program past the hard limit", async () => {
    const result = await python("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", { keptOutputBytes: 4096, outputLimitBytes: 256 * 1024 });
    expect(result).toMatchObject({ status: "killed", reason: "output limit", outputTruncated: true });
    expect(result.stdout.length).toBeLessThanOrEqual(4096);
    expect(sandboxProcessesOnHost()).toEqual([]);
  });

  it("kills the sandbox when aborted and rejects with the reason", async () => {
    const controller = new AbortController();
    const running = python("import time\ntime.sleep(600)\n", {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 300);
    await expect(running).rejects.toThrow("stop");
    expect(sandboxProcessesOnHost()).toEqual([]);
  });

  it("refuses to run anything when bubblewrap is missing or cannot start: 503 sandbox_unavailable, never unsandboxed", async () => {
    const marker = path.join(hostFolder, "ran-unsandboxed");
    const program = `open(${JSON.stringify(marker)}, 'w').write('ran')\n`;
    for (const bubblewrap of ["/nonexistent/bwrap", "/bin/false"]) {
      expect(await sandboxAvailability(bubblewrap)).toMatchObject({ available: false });
      const error = await runSandboxed({ language: "python", program, bubblewrap }).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(SandboxUnavailableError);
      expect(error).toMatchObject({ statusCode: 503, code: "sandbox_unavailable" });
      expect((error as Error).message).toMatch(/bubblewrap/);
    }
    expect((await runSandboxed({ language: "python", program: "", bubblewrap: "/nonexistent/bwrap" }).catch((error: Error) => error.message)) as string).toMatch(/apt-get install bubblewrap/);
    expect(existsSync(marker)).toBe(false);
  });

  it("rejects limits out of range with the field's name", async () => {
    const error = await python("print(1)", { memoryMegabytes: 100_000 }).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ param: "limits.memoryMegabytes" });
  });

  it("builds a classic BPF program for x86_64 and aarch64 that checks the architecture first", () => {
    for (const architecture of ["x64", "arm64"]) {
      const filter = buildSeccompFilter(architecture);
      expect(filter.length % 8).toBe(0);
      expect(filter.readUInt16LE(0)).toBe(0x20); // ld [arch]
      expect(filter.readUInt32LE(4)).toBe(4);
    }
    expect(() => buildSeccompFilter("ia32")).toThrow(SandboxUnavailableError);
  });
});
