/**
 * npm run bench:serve — aggregate output tokens/s and time to first token through the HTTP API at
 * concurrency 1, 4 and 16, against node-llama-cpp driven directly in-process, same model, same threads.
 * Last line: `serve: c1 api/engine=… c4/c1=… ttft_p50_overhead_ms=… idle_rss_mb=…`.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { randomBytes } from "node:crypto";
import { getLlama, type LlamaContextSequence, LlamaLogLevel, type Token } from "node-llama-cpp";
import { testModelPath, type TestModelFile } from "../test/support/test-models.js";

const threads = Number(process.env.AIPLUS_THREADS ?? 1);
const tokensPerRequest = Number(process.env.BENCH_TOKENS ?? 64);
/** `BENCH_CONCURRENCIES=1,4` and `BENCH_MODELS=stories260K.gguf` narrow a run (the summary needs 1 and 4). */
const concurrencies = (process.env.BENCH_CONCURRENCIES ?? "1,4,16").split(",").map(Number);
const models = (process.env.BENCH_MODELS?.split(",") ?? ["stories260K.gguf", "llama-2-tiny-random.gguf"]) as TestModelFile[];
const prompt = "Once upon a time";
/** Waves of `concurrency` simultaneous requests per measurement: enough requests that one slow one doesn't decide. */
const wavesFor = (concurrency: number) => Math.max(4, Math.ceil(48 / concurrency));

type Measurement = { tokensPerSecond: number; ttftMs: number[] };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : ((sorted[middle - 1]! + sorted[middle]!) / 2);
}

async function measureEngine(modelPath: string, concurrency: number): Promise<Measurement> {
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: threads, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ sequences: concurrency, contextSize: 256, threads });
  const promptTokens = [model.tokens.bos!, ...model.tokenize(prompt)] as Token[];
  const sequences = Array.from({ length: concurrency }, () => context.getSequence());
  const run = async (sequence: LlamaContextSequence): Promise<number> => {
    const started = performance.now();
    let ttft = 0;
    let count = 0;
    for await (const token of sequence.evaluate(promptTokens, { temperature: 0, yieldEogToken: true })) {
      void token;
      if (count === 0) ttft = performance.now() - started;
      if (++count >= tokensPerRequest) break;
    }
    await sequence.clearHistory();
    return ttft;
  };
  await run(sequences[0]!); // warm-up
  const started = performance.now();
  const ttftMs: number[] = [];
  for (let wave = 0; wave < wavesFor(concurrency); wave++) ttftMs.push(...(await Promise.all(sequences.map(run))));
  const seconds = (performance.now() - started) / 1000;
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return { tokensPerSecond: (ttftMs.length * tokensPerRequest) / seconds, ttftMs };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the production server (`node dist/aiplus.js serve`, built by `npm run build`) as users run it. */
async function startServer(home: string): Promise<{ url: string; adminKey: string; pid: number; stop: () => void }> {
  const port = await freePort();
  const adminKey = `aip_bench_${randomBytes(16).toString("hex")}`;
  const child = spawn(process.execPath, ["dist/aiplus.js", "serve"], {
    env: {
      ...process.env, AIPLUS_HOME: home, AIPLUS_THREADS: String(threads), AIPLUS_SEQUENCES: "16", AIPLUS_LOG_LEVEL: "warn",
      AIPLUS_PORT: String(port), AIPLUS_ADMIN_KEY: adminKey,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const healthy = await fetch(`${url}/health`).then((response) => response.ok, () => false);
    if (healthy) break;
    if (attempt > 200) throw new Error("server did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, adminKey, pid: child.pid!, stop: () => child.kill("SIGTERM") };
}

function rssMegabytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kilobytes / 1024;
}

async function streamOnce(url: string, key: string, model: string): Promise<{ ttft: number; tokens: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model, prompt, max_tokens: tokensPerRequest, temperature: 0, stream: true,
      stream_options: { include_usage: true }, logit_bias: { "2": -100 },
    }),
  });
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  let ttft = 0;
  let tokens = 0;
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (ttft === 0) ttft = performance.now() - started;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
      const data = JSON.parse(line.slice(6)) as { usage?: { completion_tokens?: number } | null };
      if (data.usage?.completion_tokens) tokens = data.usage.completion_tokens;
    }
  }
  return { ttft, tokens };
}

async function measureApi(url: string, key: string, model: string, concurrency: number): Promise<Measurement> {
  await streamOnce(url, key, model); // warm-up (loads the model)
  const started = performance.now();
  const results: { ttft: number; tokens: number }[] = [];
  for (let wave = 0; wave < wavesFor(concurrency); wave++) {
    results.push(...(await Promise.all(Array.from({ length: concurrency }, () => streamOnce(url, key, model)))));
  }
  const seconds = (performance.now() - started) / 1000;
  const tokens = results.reduce((sum, result) => sum + result.tokens, 0);
  return { tokensPerSecond: tokens / seconds, ttftMs: results.map((result) => result.ttft) };
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-bench-"));
const server = await startServer(home);
await new Promise((resolve) => setTimeout(resolve, 1000));
const idleRss = rssMegabytes(server.pid);
console.log(`idle server RSS without a model: ${idleRss.toFixed(1)} MB (target < 150)`);
let summary = "";
try {
  for (const file of models) {
    const modelPath = await testModelPath(file);
    const name = path.basename(file, ".gguf").toLowerCase();
    const added = await fetch(`${server.url}/v1/admin/models`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ path: modelPath, name }),
    });
    if (!added.ok) throw new Error(`cannot register ${file}: ${await added.text()}`);
    console.log(`\n${file}, ${threads} thread(s), ${tokensPerRequest} tokens/request`);
    console.log("conc  engine tok/s  api tok/s  api/engine  engine ttft p50  api ttft p50");
    const rows: Record<number, { engine: Measurement; api: Measurement }> = {};
    for (const concurrency of concurrencies) {
      const engine = await measureEngine(modelPath, concurrency);
      const api = await measureApi(server.url, server.adminKey, name, concurrency);
      rows[concurrency] = { engine, api };
      console.log(
        `${String(concurrency).padStart(4)}  ${engine.tokensPerSecond.toFixed(0).padStart(12)}  ${api.tokensPerSecond.toFixed(0).padStart(9)}  ${(api.tokensPerSecond / engine.tokensPerSecond).toFixed(2).padStart(10)}  ${median(engine.ttftMs).toFixed(2).padStart(15)}  ${median(api.ttftMs).toFixed(2).padStart(12)}`,
      );
    }
    const c1 = rows[1]!;
    const c4 = rows[4];
    const line = `c1 api/engine=${(c1.api.tokensPerSecond / c1.engine.tokensPerSecond).toFixed(2)} c4/c1=${c4 ? (c4.api.tokensPerSecond / c1.api.tokensPerSecond).toFixed(2) : "n/a"} ttft_p50_overhead_ms=${(median(c1.api.ttftMs) - median(c1.engine.ttftMs)).toFixed(1)}`;
    console.log(`${name}: ${line}`);
    if (!summary) summary = line;
  }
} finally {
  server.stop();
  fs.rmSync(home, { recursive: true, force: true });
}
console.log(`serve: ${summary} idle_rss_mb=${idleRss.toFixed(0)}`);
