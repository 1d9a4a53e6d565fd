import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DownloadError, pullModel, type PullProgress, resolvePullSource } from "../../src/runtime/pull/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";
import { testModelPath, testModels } from "../support/test-models.js";
import { closedPort, startModelFileServer } from "./model-file-server.js";

const pinned = testModels["stories260K.gguf"].sha256;
let modelsDir: string;
let servers: { close(): Promise<void> }[] = [];

beforeEach(() => {
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-pull-"));
});

afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

async function serve(options: Omit<Parameters<typeof startModelFileServer>[0], "file">) {
  const server = await startModelFileServer({ file: await testModelPath("stories260K.gguf"), ...options });
  servers.push(server);
  return server;
}

function sha256Of(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

describe("pullModel", () => {
  it("downloads, verifies the pinned sha256 and renames into place with progress", async () => {
    const server = await serve({});
    const progress: PullProgress[] = [];
    const result = await pullModel({
      source: `${server.url}/files/stories260K.gguf`, modelsDir, sha256: pinned, onProgress: (update) => progress.push(update),
    });
    expect(result).toMatchObject({ fileName: "stories260K.gguf", sha256: pinned, bytes: 1_185_376, verifiedAgainst: "option", resumedFrom: 0 });
    expect(result.path).toBe(path.join(modelsDir, "stories260K.gguf"));
    expect(sha256Of(result.path)).toBe(pinned);
    expect(fs.existsSync(`${result.path}.partial`)).toBe(false);
    expect(progress.at(-1)).toEqual({ bytesDone: 1_185_376, bytesTotal: 1_185_376, resumedFrom: 0 });
    expect(progress.length).toBeGreaterThan(1);
  });

  it("resumes an interrupted download with a Range request and ends with the pinned sha256", async () => {
    const server = await serve({ cutFirstRequestAfter: 300_000 });
    const source = `${server.url}/files/stories260K.gguf`;
    const first = await pullModel({ source, modelsDir, sha256: pinned }).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(DownloadError);
    expect((first as DownloadError).failure).toBe("interrupted");
    expect((first as DownloadError).message).toMatch(/interrupted after \d+ of 1185376 bytes; run the same command again to resume/);
    const partial = path.join(modelsDir, "stories260K.gguf.partial");
    const partialSize = fs.statSync(partial).size;
    expect(partialSize).toBeGreaterThan(0);
    expect(partialSize).toBeLessThanOrEqual(300_000);
    expect(fs.existsSync(path.join(modelsDir, "stories260K.gguf"))).toBe(false);

    expect(fs.existsSync(`${partial}.json`)).toBe(true);

    const second = await pullModel({ source, modelsDir, sha256: pinned });
    expect(server.requests.map((request) => request.range)).toEqual([undefined, `bytes=${partialSize}-`]);
    expect(server.requests[1]?.ifRange).toMatch(/^"v-[0-9a-f]{32}"$/);
    expect(second.resumedFrom).toBe(partialSize);
    expect(second.sha256).toBe(pinned);
    expect(sha256Of(second.path)).toBe(pinned);
    expect(fs.readdirSync(modelsDir)).toEqual(["stories260K.gguf"]);
  });

  it("stops on abort, keeping the partial file for a later resume", async () => {
    const server = await serve({});
    const controller = new AbortController();
    const reason = new Error("stopped by the user");
    const source = `${server.url}/files/stories260K.gguf`;
    const aborted = pullModel({
      source, modelsDir, signal: controller.signal,
      onProgress: ({ bytesDone }) => {
        if (bytesDone > 0) controller.abort(reason);
      },
    });
    await expect(aborted).rejects.toBe(reason);
    expect(fs.statSync(path.join(modelsDir, "stories260K.gguf.partial")).size).toBeGreaterThan(0);
    expect((await pullModel({ source, modelsDir, sha256: pinned })).sha256).toBe(pinned);
  });

  it("restarts from zero when the server ignores Range (200 instead of 206)", async () => {
    const server = await serve({ cutFirstRequestAfter: 300_000 });
    const source = `${server.url}/files/stories260K.gguf`;
    await expect(pullModel({ source, modelsDir })).rejects.toBeInstanceOf(DownloadError);
    const partialSize = fs.statSync(path.join(modelsDir, "stories260K.gguf.partial")).size;
    server.update({ ignoreRange: true });
    const result = await pullModel({ source, modelsDir, sha256: pinned });
    expect(server.requests[1]?.range).toBe(`bytes=${partialSize}-`);
    expect(result.resumedFrom).toBe(0);
    expect(sha256Of(result.path)).toBe(pinned);
  });

  it("finishes a partial that already holds the whole file (416)", async () => {
    const server = await serve({ cutFirstRequestAfter: 300_000 });
    const source = `${server.url}/files/stories260K.gguf`;
    await expect(pullModel({ source, modelsDir })).rejects.toBeInstanceOf(DownloadError);
    // A crash after the last byte and before the rename: the partial holds the whole file.
    const partial = path.join(modelsDir, "stories260K.gguf.partial");
    fs.appendFileSync(partial, fs.readFileSync(await testModelPath("stories260K.gguf")).subarray(fs.statSync(partial).size));
    const result = await pullModel({ source, modelsDir, sha256: pinned });
    expect(result).toMatchObject({ sha256: pinned, bytes: 1_185_376, resumedFrom: 1_185_376 });
    expect(fs.existsSync(result.path)).toBe(true);
  });

  it("starts over when a partial has no stored validator (it cannot tell which version it holds)", async () => {
    const server = await serve({});
    fs.writeFileSync(path.join(modelsDir, "stories260K.gguf.partial"), Buffer.alloc(1000, 7));
    const result = await pullModel({ source: `${server.url}/files/stories260K.gguf`, modelsDir, sha256: pinned });
    expect(server.requests.map((request) => request.range)).toEqual([undefined]);
    expect(result.resumedFrom).toBe(0);
    expect(sha256Of(result.path)).toBe(pinned);
  });

  it("restarts (If-Range answered with 200) when the file changed between the cut and the resume", async () => {
    const server = await serve({ cutFirstRequestAfter: 300_000 });
    const source = `${server.url}/files/stories260K.gguf`;
    const first = await pullModel({ source, modelsDir }).catch((error: unknown) => error);
    expect((first as DownloadError).failure).toBe("interrupted");
    const newVersion = await testModelPath("llama-2-tiny-random.gguf");
    server.replaceFile(newVersion);
    const result = await pullModel({ source, modelsDir });
    expect(server.requests[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(server.requests[1]?.ifRange).toMatch(/^"v-[0-9a-f]{32}"$/);
    expect(result.resumedFrom).toBe(0);
    expect(result.sha256).toBe(sha256Of(newVersion));
    expect(sha256Of(result.path)).toBe(sha256Of(newVersion));
    expect(fs.readdirSync(modelsDir)).toEqual(["stories260K.gguf"]);
  });

  it("restarts when a server ignores If-Range and sends a 206 of another version (ETag or total size changed)", async () => {
    const original = fs.readFileSync(await testModelPath("stories260K.gguf"));
    const sameSize = path.join(modelsDir, "..", `${path.basename(modelsDir)}-same-size.gguf`);
    const changed = Buffer.from(original);
    changed[changed.length - 1] = (changed[changed.length - 1]! + 1) % 256;
    fs.writeFileSync(sameSize, changed);
    try {
      for (const [newVersion, expected] of [[sameSize, changed], [await testModelPath("llama-2-tiny-random.gguf"), undefined]] as const) {
        fs.rmSync(modelsDir, { recursive: true, force: true });
        const server = await serve({ cutFirstRequestAfter: 300_000, ignoreIfRange: true });
        const source = `${server.url}/files/stories260K.gguf`;
        await expect(pullModel({ source, modelsDir })).rejects.toBeInstanceOf(DownloadError);
        server.replaceFile(newVersion);
        const result = await pullModel({ source, modelsDir });
        expect(server.requests.map((request) => request.range?.replace(/\d+/, "N"))).toEqual([undefined, "bytes=N-", undefined]);
        expect(result.resumedFrom).toBe(0);
        const bytes = fs.readFileSync(result.path);
        expect(bytes.equals(expected ?? fs.readFileSync(newVersion))).toBe(true);
      }
    } finally {
      fs.rmSync(sameSize, { force: true });
    }
  });

  it("deletes an HTML page served instead of the model; a later pull downloads it again", async () => {
    const server = await serve({ html: true });
    const source = `${server.url}/files/stories260K.gguf`;
    const error = await pullModel({ source, modelsDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).failure).toBe("invalid-file");
    expect((error as Error).message).toMatch(/^the download of .*stories260K\.gguf is not a usable GGUF file \(is not a GGUF file \(bad magic "<!DO"\)\); it was deleted$/);
    expect(fs.readdirSync(modelsDir)).toEqual([]);

    server.update({ html: false });
    const result = await pullModel({ source, modelsDir, sha256: pinned });
    expect(sha256Of(result.path)).toBe(pinned);
  });

  it("replaces a broken file left where the model would be instead of saying it already exists", async () => {
    const server = await serve({});
    const target = path.join(modelsDir, "stories260K.gguf");
    fs.writeFileSync(target, "<html>not a model</html>");
    const result = await pullModel({ source: `${server.url}/files/stories260K.gguf`, modelsDir, sha256: pinned });
    expect(result.path).toBe(target);
    expect(sha256Of(target)).toBe(pinned);
    fs.writeFileSync(target, fs.readFileSync(await testModelPath("stories260K.gguf")).subarray(0, 600_000));
    expect((await pullModel({ source: `${server.url}/files/stories260K.gguf`, modelsDir })).sha256).toBe(pinned);
  });

  it("deletes the download and throws on a sha256 mismatch", async () => {
    const server = await serve({});
    const wrong = "0".repeat(64);
    const error = await pullModel({ source: `${server.url}/files/stories260K.gguf`, modelsDir, sha256: wrong }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).failure).toBe("checksum-mismatch");
    expect((error as Error).message).toBe(`sha256 mismatch for stories260K.gguf: expected ${wrong}, got ${pinned}; the download was deleted`);
    expect(fs.readdirSync(modelsDir)).toEqual([]);
  });

  it("says to copy the file and `aiplus models add` it when the host cannot be reached", async () => {
    const port = await closedPort();
    const error = await pullModel({ source: `http://127.0.0.1:${port}/files/stories260K.gguf`, modelsDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).failure).toBe("unreachable");
    expect((error as Error).message).toBe(`cannot reach 127.0.0.1:${port}; copy the file to this machine and run \`aiplus models add stories260K.gguf\``);
    expect(fs.readdirSync(modelsDir)).toEqual([]);
  });

  it("names huggingface.co when an hf: source cannot be reached (DNS failure)", async () => {
    const error = await pullModel({ source: "hf:org/repo/model.gguf", modelsDir, huggingFaceUrl: "http://aiplus-test.invalid" }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe("cannot reach aiplus-test.invalid; copy the file to this machine and run `aiplus models add model.gguf`");
    const offline = await pullModel({
      source: "hf:org/repo/model.gguf",
      modelsDir,
      fetch: () => Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND huggingface.co"), { code: "ENOTFOUND" }) })),
    }).catch((caught: unknown) => caught);
    expect((offline as Error).message).toBe("cannot reach huggingface.co; copy the file to this machine and run `aiplus models add model.gguf`");
  });

  it("maps hf: sources through the redirect and verifies the x-linked-etag sha256", async () => {
    const server = await serve({ linkedEtag: pinned });
    const result = await pullModel({ source: "hf:ggml-org/models/tinyllamas/stories260K.gguf", modelsDir, huggingFaceUrl: server.url });
    expect(server.requests[0]?.path).toBe("/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf");
    expect(server.requests[1]?.path).toBe("/files/tinyllamas/stories260K.gguf");
    expect(result).toMatchObject({ sha256: pinned, verifiedAgainst: "etag", fileName: "stories260K.gguf" });
  });

  it("rejects a download whose content differs from the x-linked-etag", async () => {
    const server = await serve({ linkedEtag: "a".repeat(64) });
    const error = await pullModel({ source: "hf:org/repo/stories260K.gguf", modelsDir, huggingFaceUrl: server.url }).catch((caught: unknown) => caught);
    expect((error as DownloadError).failure).toBe("checksum-mismatch");
    expect(fs.readdirSync(modelsDir)).toEqual([]);
  });

  it("reports HTTP errors, keeps no file, and refuses bad input", async () => {
    const server = await serve({});
    const missing = await pullModel({ source: `${server.url}/nope/model.gguf`, modelsDir }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(DownloadError);
    expect((missing as DownloadError).upstreamStatus).toBe(404);
    await expect(pullModel({ source: "ftp://example.com/a.gguf", modelsDir })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(pullModel({ source: `${server.url}/files/a.gguf`, modelsDir, sha256: "xyz" })).rejects.toThrow(/sha256 must be 64 hexadecimal/);
    fs.copyFileSync(await testModelPath("stories260K.gguf"), path.join(modelsDir, "a.gguf"));
    await expect(pullModel({ source: `${server.url}/files/a.gguf`, modelsDir })).rejects.toThrow(/already exists/);
  });
});

describe("resolvePullSource", () => {
  it("maps hf: sources, with an optional revision", () => {
    expect(resolvePullSource("hf:ggml-org/models/tinyllamas/stories260K.gguf").url.href).toBe(
      "https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf",
    );
    expect(resolvePullSource("hf:org/repo:v1.0/file.gguf")).toMatchObject({ fileName: "file.gguf" });
    expect(resolvePullSource("hf:org/repo:v1.0/file.gguf").url.href).toBe("https://huggingface.co/org/repo/resolve/v1.0/file.gguf");
    expect(() => resolvePullSource("hf:org/file.gguf")).toThrow(InvalidRequestError);
    expect(() => resolvePullSource("not a url")).toThrow(/hf:org\/repo\/file.gguf or an http\(s\) URL/);
  });
});
