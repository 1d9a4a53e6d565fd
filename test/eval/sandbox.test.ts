import net from "node:net";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkHumanevalCompletion, loadHumanevalJsonl, runPythonSandboxed } from "../../src/eval/index.js";
import { datasetPath } from "./support/datasets-path.js";

describe("python sandbox", () => {
  it("passes every canonical HumanEval solution", async () => {
    const items = await loadHumanevalJsonl(datasetPath("humaneval/HumanEval.first20.jsonl"));
    const results = [];
    for (const item of items) results.push(await checkHumanevalCompletion(item, item.canonicalSolution, { timeoutMilliseconds: 10_000 }));
    expect(results.filter((result) => !result.passed).map((result) => [result.taskId, result.result.stderr])).toEqual([]);
  });

  it("fails a wrong or broken completion", async () => {
    const [item] = await loadHumanevalJsonl(datasetPath("humaneval/HumanEval.first20.jsonl"));
    const wrong = await checkHumanevalCompletion(item!, "    return False\n");
    expect(wrong.passed).toBe(false);
    expect(wrong.result.stderr).toContain("AssertionError");
    const broken = await checkHumanevalCompletion(item!, "    return (\n");
    expect(broken.result.status).toBe("failed");
    expect(broken.result.stderr).toContain("SyntaxError");
  });

  it("kills an infinite loop (and its children) at the time limit", async () => {
    const result = await runPythonSandboxed("import os\nos.fork()\nwhile True:\n    pass\n", { timeoutMilliseconds: 1000 });
    expect(result.status).toBe("timeout");
    expect(result.signal).toBe("SIGKILL");
  });

  it("stops a memory hog at the address-space limit", async () => {
    const result = await runPythonSandboxed("data = bytearray(2 * 1024 ** 3)\nprint('allocated')\n", { memoryMegabytes: 256 });
    expect(result.status).toBe("failed");
    expect(result.stdout).not.toContain("allocated");
    expect(result.stderr).toContain("MemoryError");
  });

  it("runs in an empty environment and a throw-away directory", async () => {
    const result = await runPythonSandboxed("import os, json\nprint(json.dumps({'env': sorted(os.environ), 'cwd': os.getcwd(), 'files': os.listdir('.')}))\n");
    expect(result.status).toBe("passed");
    const seen = JSON.parse(result.stdout) as { env: string[]; cwd: string; files: string[] };
    expect(seen.env.filter((name) => !["PWD", "SHLVL", "_", "LC_CTYPE"].includes(name))).toEqual([]);
    expect(seen.cwd).toMatch(/aiplus-sandbox-/);
    expect(seen.files).toEqual(["program.py"]);
    expect(existsSync(seen.cwd)).toBe(false);
  });

  it("has no network when unshare is available", async () => {
    const server = net.createServer((socket) => socket.end("hello"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const result = await runPythonSandboxed(`import socket\ns = socket.create_connection(("127.0.0.1", ${port}), timeout=2)\nprint(s.recv(5))\n`);
      // Without network isolation (no root, no user namespaces) the connection succeeds: documented, not hidden.
      expect(result.status).toBe(result.networkIsolated ? "failed" : "passed");
      if (result.networkIsolated) expect(result.stderr).toMatch(/Network is unreachable|Connection refused|OSError/);
    } finally {
      server.close();
    }
  });
});
