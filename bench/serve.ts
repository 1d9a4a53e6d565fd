/**
 * npm run bench:serve — aggregate output tokens/s and time to first token of streamed `/v1/completions` at concurrency
 * 1, 4 and 16, same model, threads, slots and client, for: llama-server started directly from the native build,
 * aiplus on the native engine (managed llama-server workers), and aiplus on node-llama-cpp (in-process).
 * Last line (worst model): `serve: native/llama-server c1=… c4=… c16=… node/llama-server c4=… ttft_overhead_ms=… idle_rss_mb=…`.
 * Needs the native build (`scripts/build-native.sh`; AIPLUS_NATIVE_DIR overrides its folder).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config/index.js";
import { nativeBuild } from "../src/runtime/native/index.js";
import { testModelPath, type TestModelFile } from "../test/support/test-models.js";

const threads = Number(process.env.AIPLUS_THREADS ?? 1);
const slots = Number(process.env.BENCH_SLOTS ?? 4);
const tokensPerRequest = Number(process.env.BENCH_TOKENS ?? 64);
/** `BENCH_CONCURRENCIES=1,4` and `BENCH_MODELS=stories260K.gguf` narrow a run. */
const concurrencies = (process.env.BENCH_CONCURRENCIES ?? "1,4,16").split(",").map(Number);
const models = (process.env.BENCH_MODELS?.split(",") ?? ["stories260K.gguf", "llama-2-tiny-random.gguf"]) as TestModelFile[];
const prompt = "Once upon a time";
/** Waves of `concurrency` simultaneous requests per measurement: enough requests that one slow one doesn't decide. */
const wavesFor = (concurrency: number) => Math.max(4, Math.ceil(48 / concurrency));
const contextSize = 256;

type Target = "llama-server" | "aiplus-native" | "aiplus-node-llama-cpp";
type Measurement = { tokensPerSecond: number; ttftMs: number[] };
type Running = { url: string; key: string | undefined; model: string; pid: number; stop: () => Promise<void> };

const build = nativeBuild(loadConfig({ warn: () => undefined }).nativeDir);
if (!build.built) throw new Error(`bench:serve needs the native build: ${build.serverPath} is missing (run scripts/build-native.sh)`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : ((sorted[middle - 1]! + sorted[middle]!) / 2);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    if (await fetch(`${url}/health`).then((response) => response.ok, () => false)) return;
    if (attempt > 600) throw new Error(`${url}: the server did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startLlamaServer(modelPath: string): Promise<Running> {
  const port = await freePort();
  const child = spawn(build.serverPath, [
    "--model", modelPath, "--host", "127.0.0.1", "--port", String(port), "--threads", String(threads), "--threads-batch", String(threads),
    "--parallel", String(slots), "--ctx-size", String(contextSize * slots), "--no-context-shift", "--no-kv-unified", "--no-webui", "--log-verbosity", "2",
  ], { stdio: ["ignore", "ignore", "ignore"] });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  return { url, key: undefined, model: path.basename(modelPath), pid: child.pid!, stop: stopper(child) };
}

/** The production server (`node dist/aiplus.js serve`, built by `npm run build`; BENCH_AIPLUS_ENTRY overrides) as users run it. */
async function startAiplus(engine: "native" | "node-llama-cpp", modelPath: string, onIdle?: (rssMb: number) => void): Promise<Running> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-bench-"));
  const port = await freePort();
  const key = `aip_bench_${randomBytes(16).toString("hex")}`;
  const child = spawn(process.execPath, [process.env.BENCH_AIPLUS_ENTRY ?? "dist/aiplus.js", "serve"], {
    env: {
      ...process.env, AIPLUS_HOME: home, AIPLUS_THREADS: String(threads), AIPLUS_SEQUENCES: String(slots), AIPLUS_CONTEXT_SIZE: String(contextSize),
      AIPLUS_LOG_LEVEL: "warn", AIPLUS_PORT: String(port), AIPLUS_ADMIN_KEY: key, AIPLUS_ENGINE: engine,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  if (onIdle) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    onIdle(rssMegabytes(child.pid!));
  }
  const model = path.basename(modelPath, ".gguf").toLowerCase();
  const added = await fetch(`${url}/v1/admin/models`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ path: modelPath, name: model }),
  });
  if (!added.ok) throw new Error(`cannot register ${modelPath}: ${await added.text()}`);
  const stop = stopper(child);
  return { url, key, model, pid: child.pid!, stop: async () => { await stop(); fs.rmSync(home, { recursive: true, force: true }); } };
}

function rssMegabytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** A kept-alive connection the server closed meanwhile fails before the request reaches it: that one is sent again. */
async function post(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}

async function streamOnce(target: Running): Promise<{ ttft: number; tokens: number }> {
  const started = performance.now();
  const response = await post(`${target.url}/v1/completions`, {
    method: "POST",
    headers: { ...(target.key ? { authorization: `Bearer ${target.key}` } : {}), "content-type": "application/json" },
    body: JSON.stringify({
      model: target.model, prompt, max_tokens: tokensPerRequest, temperature: 0, stream: true,
      stream_options: { include_usage: true }, logit_bias: { "2": -100 },
    }),
  });
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  let ttft = 0;
  let tokens = 0;
  let chunks = 0;
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (ttft === 0) ttft = performance.now() - started;
    buffer += decoder.decode(value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, boundary).trim();
      buffer = buffer.slice(boundary + 1);
      if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
      const data = JSON.parse(line.slice(6)) as { usage?: { completion_tokens?: number } | null; choices?: unknown[] };
      if (data.choices?.length) chunks++;
      if (data.usage?.completion_tokens) tokens = data.usage.completion_tokens;
    }
  }
  return { ttft, tokens: tokens || chunks };
}

async function measure(target: Running, concurrency: number): Promise<Measurement> {
  await streamOnce(target); // warm-up (loads the model)
  const started = performance.now();
  const results: { ttft: number; tokens: number }[] = [];
  for (let wave = 0; wave < wavesFor(concurrency); wave++) {
    results.push(...(await Promise.all(Array.from({ length: concurrency }, () => streamOnce(target)))));
  }
  const seconds = (performance.now() - started) / 1000;
  return { tokensPerSecond: results.reduce((sum, result) => sum + result.tokens, 0) / seconds, ttftMs: results.map((result) => result.ttft) };
}

const targets: Target[] = ["llama-server", "aiplus-native", "aiplus-node-llama-cpp"];
let idleRss = Number.NaN;
type Ratios = { native: Record<number, number>; node: Record<number, number>; ttftOverheadMs: number };
const perModel: Ratios[] = [];
for (const file of models) {
  const modelPath = await testModelPath(file);
  console.log(`\n${file}: ${threads} thread(s), ${slots} slots, ${tokensPerRequest} tokens/request (machine shared with other work: figures are indicative)`);
  console.log(`conc  ${targets.map((target) => `${target} tok/s`.padStart(28)).join("")}  ${targets.map((target) => `${target} ttft ms`.padStart(30)).join("")}`);
  const results: Record<Target, Record<number, Measurement>> = { "llama-server": {}, "aiplus-native": {}, "aiplus-node-llama-cpp": {} };
  for (const target of targets) {
    const running = target === "llama-server"
      ? await startLlamaServer(modelPath)
      : await startAiplus(target === "aiplus-native" ? "native" : "node-llama-cpp", modelPath, target === "aiplus-native" && Number.isNaN(idleRss) ? (rss) => (idleRss = rss) : undefined);
    try {
      for (const concurrency of concurrencies) results[target][concurrency] = await measure(running, concurrency);
    } finally {
      await running.stop();
    }
  }
  for (const concurrency of concurrencies) {
    const speeds = targets.map((target) => results[target][concurrency]!.tokensPerSecond.toFixed(0).padStart(28)).join("");
    const ttfts = targets.map((target) => median(results[target][concurrency]!.ttftMs).toFixed(2).padStart(30)).join("");
    console.log(`${String(concurrency).padStart(4)}  ${speeds}  ${ttfts}`);
  }
  const ratio = (target: Target, concurrency: number) => results[target][concurrency]!.tokensPerSecond / results["llama-server"][concurrency]!.tokensPerSecond;
  const ratios: Ratios = {
    native: Object.fromEntries(concurrencies.map((concurrency) => [concurrency, ratio("aiplus-native", concurrency)])),
    node: Object.fromEntries(concurrencies.map((concurrency) => [concurrency, ratio("aiplus-node-llama-cpp", concurrency)])),
    ttftOverheadMs: median(results["aiplus-native"][concurrencies[0]!]!.ttftMs) - median(results["llama-server"][concurrencies[0]!]!.ttftMs),
  };
  console.log(`${file}: native/llama-server ${concurrencies.map((concurrency) => `c${concurrency}=${ratios.native[concurrency]!.toFixed(2)}`).join(" ")} node/llama-server ${concurrencies.map((concurrency) => `c${concurrency}=${ratios.node[concurrency]!.toFixed(2)}`).join(" ")} ttft_overhead_ms=${ratios.ttftOverheadMs.toFixed(1)}`);
  perModel.push(ratios);
}
const worst = (pick: (ratios: Ratios) => number | undefined, largest = false) => {
  const values = perModel.map(pick).filter((value): value is number => value !== undefined);
  return largest ? Math.max(...values) : Math.min(...values);
};
const format = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "n/a");
console.log(`idle aiplus RSS without a model (native engine): ${idleRss.toFixed(1)} MB (target < 150)`);
console.log(
  `serve: native/llama-server c1=${format(worst((ratios) => ratios.native[1]))} c4=${format(worst((ratios) => ratios.native[4]))} c16=${format(worst((ratios) => ratios.native[16]))} node/llama-server c4=${format(worst((ratios) => ratios.node[4]))} ttft_overhead_ms=${worst((ratios) => ratios.ttftOverheadMs, true).toFixed(1)} idle_rss_mb=${idleRss.toFixed(0)}`,
);
