import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createPlatform } from "../../src/platform/index.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { startSlowFileServer, type SlowFileServer } from "../support/slow-file-server.js";
import { testModelPath, testModels } from "../support/test-models.js";
import { closedPort } from "../pull/model-file-server.js";

type PullView = {
  id: string;
  object: "model.pull";
  source: string;
  name: string;
  status: "queued" | "running" | "completed" | "failed" | "cancelled";
  bytes_done: number;
  bytes_total: number | null;
  rate_bytes_per_second: number | null;
  eta_seconds: number | null;
  resumed_from: number;
  error: { code: string; message: string } | null;
  model: string | null;
  path: string | null;
  sha256: string | null;
  verified_against: string | null;
  attempts: number;
  created_at: number;
  finished_at: number | null;
};
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

const storiesSha256 = testModels["stories260K.gguf"].sha256;
const storiesSize = 1_185_376;
let files: SlowFileServer;
let server: TestServer;
let stories: Buffer;

beforeAll(async () => {
  stories = fs.readFileSync(await testModelPath("stories260K.gguf"));
  files = await startSlowFileServer({ chunkBytes: 64 * 1024, tickMs: 20 });
  server = await startTestServer({ huggingFaceUrl: files.url });
});
afterAll(async () => {
  await server?.close();
  await files?.close();
});

async function call<T>(method: string, route: string, body?: unknown, key = server.adminKey): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function startPull(body: Record<string, unknown>): Promise<PullView> {
  const created = await call<PullView>("POST", "/v1/admin/model-pulls", body);
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  return created.body;
}

/** Polls the pull until `done` holds (the test's own timeout bounds the wait). */
async function pollPull(id: string, done: (pull: PullView) => boolean, baseUrl = server.url, key = server.adminKey): Promise<PullView> {
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/admin/model-pulls/${id}`, { headers: { authorization: `Bearer ${key}` } });
    const pull = (await response.json()) as PullView;
    if (done(pull)) return pull;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const finished = (pull: PullView) => pull.status === "completed" || pull.status === "failed" || pull.status === "cancelled";

function pullFolder(id: string, home = server.home): string {
  return path.join(home, "models", "pulls", id);
}

/** Every file under the models folder whose name ends in `.partial` (or its `.partial.json` state). */
function partialFiles(home = server.home): string[] {
  const root = path.join(home, "models");
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((entry) => /\.partial(\.json)?$/.test(entry)).sort();
}

function sha256Of(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

describe("POST /v1/admin/model-pulls: downloads as server-side jobs", () => {
  it("runs in the background with bytes, rate and ETA, then registers the model with its GGUF figures", async () => {
    const url = files.serve("progress/stories260K.gguf", { bytes: stories, holdAt: 262_144 });
    const created = await startPull({ source: url, name: "pulled-stories", sha256: storiesSha256 });
    expect(created).toMatchObject({ object: "model.pull", source: url, name: "pulled-stories", error: null, model: null });
    expect(["queued", "running"]).toContain(created.status);

    // Held at 256 KiB: the persisted figures show the download under way.
    const running = await pollPull(created.id, (pull) => pull.bytes_done >= 262_144);
    expect(running).toMatchObject({ status: "running", bytes_done: 262_144, bytes_total: storiesSize, resumed_from: 0 });
    expect(running.rate_bytes_per_second).toBeGreaterThan(0);
    expect(running.eta_seconds).toBe(Math.ceil((storiesSize - 262_144) / running.rate_bytes_per_second!));
    const listed = await call<{ data: PullView[] }>("GET", "/v1/admin/model-pulls?status=running");
    expect(listed.body.data.map((pull) => pull.id)).toContain(created.id);
    expect(partialFiles()).toEqual([`pulls/${created.id}/stories260K.gguf.partial`, `pulls/${created.id}/stories260K.gguf.partial.json`].sort());

    files.release("progress/stories260K.gguf");
    const completed = await pollPull(created.id, finished);
    expect(completed).toMatchObject({
      status: "completed", bytes_done: storiesSize, bytes_total: storiesSize, rate_bytes_per_second: null, eta_seconds: null, error: null,
      model: "pulled-stories", sha256: storiesSha256, verified_against: "option", path: path.join(pullFolder(created.id), "stories260K.gguf"),
    });
    expect(completed.finished_at).toBeGreaterThanOrEqual(completed.created_at);
    expect(sha256Of(completed.path!)).toBe(storiesSha256);
    expect(partialFiles()).toEqual([]);
    const model = await call<Record<string, unknown>>("GET", "/v1/admin/models/pulled-stories");
    expect(model.body).toMatchObject({ name: "pulled-stories", architecture: "llama", parameter_count: 292_800, file_size_bytes: storiesSize, sha256: storiesSha256, path: completed.path });
    // It serves requests like any registered model.
    const chat = await server.admin.chat.completions.create({ model: "pulled-stories", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 4 });
    expect(chat.choices[0]?.message.content?.length).toBeGreaterThan(0);
  });

  it("cancel stops the download, deletes its partial file and registers nothing", async () => {
    const url = files.serve("cancel/stories260K.gguf", { bytes: stories, holdAt: 131_072 });
    const created = await startPull({ source: url, name: "cancelled-stories" });
    await pollPull(created.id, (pull) => pull.bytes_done >= 131_072);
    expect(fs.existsSync(path.join(pullFolder(created.id), "stories260K.gguf.partial"))).toBe(true);

    const cancelled = await call<PullView>("POST", `/v1/admin/model-pulls/${created.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", model: null, rate_bytes_per_second: null, eta_seconds: null });
    expect(fs.existsSync(pullFolder(created.id))).toBe(false);
    expect(partialFiles()).toEqual([]);
    expect((await call<ErrorBody>("GET", "/v1/admin/models/cancelled-stories")).status).toBe(404);
    const again = await call<ErrorBody>("POST", `/v1/admin/model-pulls/${created.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "pull_not_cancellable", param: "id" });

    // A cancelled pull can start over: from zero, since its partial file is gone.
    files.release("cancel/stories260K.gguf");
    const retried = await call<PullView>("POST", `/v1/admin/model-pulls/${created.id}/retry`);
    expect(retried.status).toBe(200);
    const completed = await pollPull(created.id, finished);
    expect(completed).toMatchObject({ status: "completed", model: "cancelled-stories", resumed_from: 0, attempts: 2 });
  });

  it("a download cut off fails with the reason; retry resumes it with a Range request and completes", async () => {
    const url = files.serve("cut/stories260K.gguf", { bytes: stories, cutFirstRequestAfter: 393_216 });
    const created = await startPull({ source: url, name: "resumed-stories", sha256: storiesSha256 });
    const failed = await pollPull(created.id, finished);
    expect(failed.status).toBe("failed");
    expect(failed.error?.code).toBe("interrupted");
    expect(failed.error?.message).toMatch(/^download of stories260K\.gguf was interrupted after \d+ of 1185376 bytes; retry the pull to resume where it stopped$/);
    const kept = fs.statSync(path.join(pullFolder(created.id), "stories260K.gguf.partial")).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(storiesSize);
    expect(failed.bytes_done).toBe(kept);

    const retried = await call<PullView>("POST", `/v1/admin/model-pulls/${created.id}/retry`);
    expect(retried.body).toMatchObject({ id: created.id, error: null });
    expect(["queued", "running", "completed"]).toContain(retried.body.status);
    const completed = await pollPull(created.id, finished);
    expect(completed).toMatchObject({ status: "completed", resumed_from: kept, bytes_done: storiesSize, sha256: storiesSha256, model: "resumed-stories" });
    expect(files.requestsFor("cut/stories260K.gguf").map((request) => request.range)).toEqual([undefined, `bytes=${kept}-`]);
    expect(sha256Of(completed.path!)).toBe(storiesSha256);
    const again = await call<ErrorBody>("POST", `/v1/admin/model-pulls/${created.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "pull_not_retryable", param: "id" });
  });

  it("an unreachable host, a 404, a file that is not GGUF and a sha256 mismatch fail with the reason; nothing stays", async () => {
    const port = await closedPort();
    const text = files.serve("notes.gguf", { bytes: Buffer.from("these are notes, not a model\n".repeat(2000)), contentType: "text/plain" });
    const good = files.serve("mismatch/stories260K.gguf", { bytes: stories });
    const cases = [
      { body: { source: `http://127.0.0.1:${port}/files/gone.gguf`, name: "unreachable" }, code: "unreachable", message: /^cannot reach 127\.0\.0\.1:\d+; copy gone\.gguf to the server and add it by its path$/ },
      { body: { source: `${files.url}/files/missing.gguf`, name: "missing" }, code: "http-status", message: /HTTP 404/ },
      { body: { source: text, name: "notes" }, code: "invalid-file", message: /is not a usable GGUF file .*; it was deleted$/ },
      { body: { source: good, name: "mismatch", sha256: "0".repeat(64) }, code: "checksum-mismatch", message: new RegExp(`^sha256 mismatch for stories260K\\.gguf: expected ${"0".repeat(64)}, got ${storiesSha256}; the download was deleted$`) },
    ];
    for (const { body, code, message } of cases) {
      const created = await startPull(body);
      const failed = await pollPull(created.id, finished);
      expect(failed.status, body.name).toBe("failed");
      expect(failed.error?.code, body.name).toBe(code);
      expect(failed.error?.message, body.name).toMatch(message);
      expect(failed.model).toBeNull();
      expect((await call<ErrorBody>("GET", `/v1/admin/models/${body.name}`)).status).toBe(404);
      const left = fs.existsSync(pullFolder(created.id)) ? fs.readdirSync(pullFolder(created.id)) : [];
      expect(left, body.name).toEqual([]);
    }
    expect(partialFiles()).toEqual([]);
  });

  it("hf: references download from the configured Hugging Face URL (through its redirect)", async () => {
    files.serve("tinyllamas/stories260K.gguf", { bytes: stories });
    const created = await startPull({ source: "hf:ggml-org/models/tinyllamas/stories260K.gguf" });
    expect(created.name).toBe("stories260K");
    const completed = await pollPull(created.id, finished);
    expect(completed).toMatchObject({ status: "completed", model: "stories260K", sha256: storiesSha256 });
    expect(files.requests.some((request) => request.path === "/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf")).toBe(true);
  });

  it("refuses bad input with a 400 naming the field, a name in use with 409, and unknown pulls with 404", async () => {
    const bad = async (body: unknown) => {
      const response = await call<ErrorBody>("POST", "/v1/admin/model-pulls", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      return response.body.error;
    };
    expect(await bad({ source: "ftp://example.com/model.gguf" })).toMatchObject({ param: "source", message: "source must be hf:org/repo/file.gguf or an http(s) URL, got ftp://example.com/model.gguf" });
    expect(await bad({ source: "hf:only-org" })).toMatchObject({ param: "source" });
    expect(await bad({})).toMatchObject({ param: "source", message: "Missing required parameter: 'source'." });
    expect(await bad({ source: `${files.url}/files/x.gguf`, sha256: "abc" })).toMatchObject({ param: "sha256", message: "sha256 must be 64 hexadecimal characters, got abc" });
    expect(await bad({ source: `${files.url}/files/x.gguf`, name: "bad name!" })).toMatchObject({ param: "name" });
    expect(await bad({ source: `${files.url}/files/x.gguf`, url: "x" })).toMatchObject({ param: "url", code: "unknown_parameter" });
    await server.addModel("stories260K.gguf", "taken-name");
    expect(await bad({ source: `${files.url}/files/x.gguf`, name: "Taken-Name" })).toMatchObject({ param: "name", message: "model Taken-Name already exists; choose another name or delete that model first" });

    const url = files.serve("busy/stories260K.gguf", { bytes: stories, holdAt: 65_536 });
    const busy = await startPull({ source: url, name: "busy-name" });
    const clash = await call<ErrorBody>("POST", "/v1/admin/model-pulls", { source: url, name: "busy-name" });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({ code: "pull_in_progress", param: "name" });
    const notRetryable = await call<ErrorBody>("POST", `/v1/admin/model-pulls/${busy.id}/retry`);
    expect(notRetryable.body.error).toMatchObject({ code: "pull_not_retryable" });
    expect((await call<PullView>("POST", `/v1/admin/model-pulls/${busy.id}/cancel`)).body.status).toBe("cancelled");

    expect((await call<ErrorBody>("GET", "/v1/admin/model-pulls/no-such-pull")).body.error).toMatchObject({ code: "pull_not_found", type: "not_found_error" });
    expect((await call<ErrorBody>("GET", "/v1/admin/model-pulls?status=sleeping")).body.error).toMatchObject({ param: "status" });
    expect((await call<ErrorBody>("GET", "/v1/admin/model-pulls?limit=0")).body.error).toMatchObject({ param: "limit" });
    const limited = await call<{ data: PullView[] }>("GET", "/v1/admin/model-pulls?limit=2");
    expect(limited.body.data).toHaveLength(2);

    const user = await server.createKey({ name: "pull-user" });
    expect((await call<ErrorBody>("GET", "/v1/admin/model-pulls", undefined, user.key)).status).toBe(403);
    expect((await call<ErrorBody>("POST", "/v1/admin/model-pulls", { source: url }, user.key)).status).toBe(403);
  });
});

describe("a pull survives a server restart", () => {
  it("is queued again when the server stops mid-download and resumes with a Range request on the next start", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-pull-restart-"));
    const adminKey = `aip_test_admin_${Math.random().toString(36).slice(2)}_0123456789`;
    const start = async () => {
      const config = loadConfig({ environment: {}, flags: { home, port: 0, threads: 1, gpu: "cpu", logLevel: "silent", adminKey, drainSeconds: 1 } });
      const platform = await createPlatform({ config, logger: pino({ level: "silent" }) });
      return { platform, url: (await platform.start()).url };
    };
    try {
      const url = files.serve("restart/stories260K.gguf", { bytes: stories, holdAt: 327_680 });
      const first = await start();
      const response = await fetch(`${first.url}/v1/admin/model-pulls`, {
        method: "POST", headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, body: JSON.stringify({ source: url, name: "restarted" }),
      });
      const created = (await response.json()) as PullView;
      await pollPull(created.id, (pull) => pull.bytes_done >= 327_680, first.url, adminKey);
      await first.platform.dispose();
      expect(fs.statSync(path.join(pullFolder(created.id, home), "stories260K.gguf.partial")).size).toBe(327_680);

      files.release("restart/stories260K.gguf");
      const second = await start();
      try {
        const completed = await pollPull(created.id, finished, second.url, adminKey);
        expect(completed).toMatchObject({ status: "completed", model: "restarted", resumed_from: 327_680, sha256: storiesSha256 });
        expect(files.requestsFor("restart/stories260K.gguf").map((request) => request.range)).toEqual([undefined, "bytes=327680-"]);
      } finally {
        await second.platform.dispose();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
