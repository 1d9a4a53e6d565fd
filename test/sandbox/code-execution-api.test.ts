import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { httpClient, pollRun, type HttpRequest } from "../eval/support/http-client.js";

let server: TestServer;
let admin: HttpRequest;
let plain: HttpRequest;
let granted: HttpRequest;
let secretFile: string;
let stateFolderTarget: string;
let hostTmpTarget: string;

/**
 * The original exploit: the prompt opens a string (`s = '''`), the test closes it and continues with arbitrary Python.
 * Record 0 tries to read host files, write files and reach the aiplus port; record 1 is a fork bomb; record 2 allocates 2 GB.
 */
function exploitTask(port: number) {
  const escape = [
    "import json, socket",
    "report = {}",
    `for name, target in [('passwd', '/etc/passwd'), ('secret', ${JSON.stringify(secretFile)})]:`,
    "    try:",
    "        with open(target) as handle: report[name] = 'READ ' + handle.read()[:40]",
    "    except OSError as error: report[name] = type(error).__name__",
    `for name, target in [('state_write', ${JSON.stringify(stateFolderTarget)}), ('tmp_write', ${JSON.stringify(hostTmpTarget)})]:`,
    "    try:",
    "        with open(target, 'w') as handle: handle.write('pwned')",
    "        report[name] = 'WROTE'",
    "    except OSError as error: report[name] = type(error).__name__",
    "try:",
    `    socket.create_connection(('127.0.0.1', ${port}), timeout=2)`,
    "    report['port'] = 'CONNECTED'",
    "except OSError as error: report['port'] = type(error).__name__",
    "print(json.dumps(report))",
    "raise SystemExit('escape attempt over')",
  ].join("\n");
  const forkBomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass";
  const allocation = "data = bytearray(2 * 1024 ** 3)\nprint('allocated')";
  return {
    name: "escape",
    dataset: { records: [{ payload: escape }, { payload: forkBomb }, { payload: allocation }] },
    prompt: { template: "s = '''" },
    generation: { maxTokens: 4, stop: ["'"] },
    scorer: { type: "code-execution", test: "'''\n{{payload}}", timeoutSeconds: 3, memoryMegabytes: 256 },
  };
}

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  admin = httpClient(server.url, server.adminKey);
  const plainKey = await server.createKey({ name: "plain", budget: 100 });
  plain = httpClient(server.url, plainKey.key);
  const grantedKey = await server.createKey({ name: "granted", allow_code_execution: true });
  granted = httpClient(server.url, grantedKey.key);
  secretFile = path.join(server.home, "host-secret.txt");
  writeFileSync(secretFile, "the server's secret");
  stateFolderTarget = path.join(server.home, "pwned.txt");
  hostTmpTarget = path.join("/tmp", `aiplus-pwned-${process.pid}-${Date.now()}.txt`);
}, 120_000);
afterAll(async () => {
  await server?.close();
});

const finished = (run: { status: string }) => run.status !== "pending" && run.status !== "running";

describe("code execution over the API", () => {
  it("shows and stores the grant on keys (admin key routes)", async () => {
    const keys = (await admin("GET", "/admin/keys")).body.data as { name: string; allow_code_execution: boolean }[];
    expect(keys.find((key) => key.name === "plain")?.allow_code_execution).toBe(false);
    expect(keys.find((key) => key.name === "granted")?.allow_code_execution).toBe(true);
    const invalid = await admin("POST", "/admin/keys", { name: "bad", allow_code_execution: "yes" });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.param).toBe("allow_code_execution");
  });

  it("refuses code-running tasks to a key without the grant: 403 code_execution_not_allowed", async () => {
    const port = Number(new URL(server.url).port);
    const custom = await plain("POST", "/evals", { task_definition: exploitTask(port), model: "stories" });
    expect(custom.status, custom.text).toBe(403);
    expect(custom.body.error).toMatchObject({ type: "permission_error", code: "code_execution_not_allowed", param: "task_definition.scorer.type" });
    const humaneval = await plain("POST", "/evals", { task: "humaneval", model: "stories" });
    expect(humaneval.status, humaneval.text).toBe(403);
    expect(humaneval.body.error).toMatchObject({ type: "permission_error", code: "code_execution_not_allowed", param: "task" });
    expect((await plain("GET", "/evals")).body.data).toEqual([]); // nothing was stored or run
    expect(existsSync(stateFolderTarget)).toBe(false);
  });

  it("runs the exploit for a granted key inside the sandbox: every item records its failure, the host is untouched, the server stays healthy", async () => {
    const port = Number(new URL(server.url).port);
    const started = await granted("POST", "/evals", { task_definition: exploitTask(port), model: "stories" });
    expect(started.status, started.text).toBe(202);
    const run = await pollRun(granted, started.body.id, finished);
    expect(run.status, run.error).toBe("completed");
    const items = (await granted("GET", `/evals/${run.id}/items`)).body.data as { index: number; metrics: Record<string, number>; details: { status: string; reason: string | null; stdout: string; stderr: string } }[];
    expect(items.map((item) => item.metrics["pass@1"])).toEqual([0, 0, 0]);
    const [escape, forkBomb, allocation] = items.sort((a, b) => a.index - b.index);

    expect(escape!.details).toMatchObject({ status: "failed", reason: "exit code 1" });
    expect(JSON.parse(escape!.details.stdout)).toEqual({
      passwd: "FileNotFoundError",
      secret: "FileNotFoundError",
      state_write: "FileNotFoundError",
      tmp_write: "WROTE", // into the sandbox's private /tmp (a tmpfs thrown away with it), not the host's
      port: "PermissionError",
    });
    expect(existsSync(stateFolderTarget)).toBe(false);
    expect(existsSync(hostTmpTarget)).toBe(false);

    expect(forkBomb!.details).toMatchObject({ status: "timeout", reason: "wall time limit" });
    expect(allocation!.details).toMatchObject({ status: "failed", reason: "memory limit" });

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect((await granted("GET", "/models")).status).toBe(200);
  }, 180_000);

  it("lets an admin key run code-execution tasks", async () => {
    const port = Number(new URL(server.url).port);
    const task = exploitTask(port);
    const started = await admin("POST", "/evals", { task_definition: { ...task, name: "escape-admin", dataset: { records: task.dataset.records.slice(0, 1) } }, model: "stories" });
    expect(started.status, started.text).toBe(202);
    const run = await pollRun(admin, started.body.id, finished);
    expect(run.status, run.error).toBe("completed");
    const [item] = (await admin("GET", `/evals/${run.id}/items`)).body.data as { details: { status: string; stdout: string } }[];
    expect(item!.details.status).toBe("failed");
    expect(JSON.parse(item!.details.stdout)).toMatchObject({ passwd: "FileNotFoundError", secret: "FileNotFoundError", port: "PermissionError" });
    expect(existsSync(stateFolderTarget)).toBe(false);
  }, 120_000);
});
