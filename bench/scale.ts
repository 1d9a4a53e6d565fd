/**
 * bench:scale — requests/s of non-streamed chat completions through one and through two aiplus instances (server
 * processes on one PostgreSQL database) behind a local round-robin HTTP proxy, on fake OpenAI-compatible upstreams
 * that answer at once: a pool of three at one priority, so the run also shows how the gateway spreads calls over a
 * pool. Afterwards the ledger must hold exactly one `ok` row per request sent (`ledger_ok=1`).
 *
 * PostgreSQL: `AIPLUS_TEST_POSTGRES_URL` (a server the bench may create a database on), else a throwaway cluster from
 * the local postgresql-15 binaries. `BENCH_SECONDS` (default 10) is each phase's measured time, `BENCH_CONCURRENCY`
 * (default 32) the requests kept in flight. Last line: `scale: x2/x1=… ledger_ok=…`.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { startTestPostgres } from "../test/support/postgres.js";
import { ScriptedUpstream } from "../test/support/scripted-upstream.js";
import { spawnServer, type ServerProcess } from "../test/support/spawn-server.js";

const adminKey = "aip_bench_scale_admin_key_0123456789";
const keySecret = "bench-scale-key-secret-0123456789";
const model = "scale-model";
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const warmupRequests = 200;

type Instance = { server: ServerProcess; home: string };

async function startInstance(databaseUrl: string): Promise<Instance> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-bench-scale-"));
  const server = await spawnServer({
    AIPLUS_HOME: home,
    AIPLUS_DATABASE_URL: databaseUrl,
    AIPLUS_ADMIN_KEY: adminKey,
    AIPLUS_KEY_SECRET: keySecret,
    AIPLUS_THREADS: "1",
    AIPLUS_GPU: "cpu",
    AIPLUS_LOG_LEVEL: "warn",
  });
  return { server, home };
}

async function stopInstance(instance: Instance): Promise<void> {
  if (instance.server.child.exitCode === null && instance.server.child.signalCode === null) instance.server.child.kill("SIGTERM");
  await instance.server.exited;
  fs.rmSync(instance.home, { recursive: true, force: true });
}

async function admin<Result>(url: string, method: string, route: string, body?: unknown): Promise<Result> {
  const response = await fetch(`${url}/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return JSON.parse(text) as Result;
}

/** A round-robin HTTP proxy over `backends` (replaceable between phases), with keep-alive connections to them. */
async function startProxy(): Promise<{ url: string; backends: string[]; close(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const backends: string[] = [];
  let turn = 0;
  const server = http.createServer((request, response) => {
    const backend = new URL(backends[turn++ % backends.length]!);
    const forwarded = http.request(
      { host: backend.hostname, port: backend.port, method: request.method, path: request.url, headers: request.headers, agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on("error", (error) => response.destroy(error));
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    backends,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

type Load = { sent: number; ok: number; failed: number; requestsPerSecond: number };

/** Keeps `concurrency` chat completions in flight through `url` until `count` were sent or `milliseconds` passed. */
async function load(url: string, key: string, limits: { count?: number; milliseconds?: number }): Promise<Load> {
  const body = JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 5 });
  const started = performance.now();
  const result = { sent: 0, ok: 0, failed: 0 };
  const more = () => (limits.count === undefined || result.sent < limits.count) && (limits.milliseconds === undefined || performance.now() - started < limits.milliseconds);
  const worker = async () => {
    while (more()) {
      result.sent += 1;
      const response = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
      await response.arrayBuffer();
      if (response.ok) result.ok += 1;
      else result.failed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ...result, requestsPerSecond: result.ok / ((performance.now() - started) / 1000) };
}

async function main(): Promise<void> {
  const postgres = await startTestPostgres();
  const upstreams = await Promise.all([ScriptedUpstream.start(), ScriptedUpstream.start(), ScriptedUpstream.start()]);
  for (const upstream of upstreams) upstream.on(() => true, { text: "ok" });
  const proxy = await startProxy();
  const instances: Instance[] = [];
  try {
    instances.push(await startInstance(postgres.url));
    const first = instances[0]!.server.url;
    for (const [index, upstream] of upstreams.entries()) {
      await admin(first, "POST", "/admin/providers", { name: `engine-${index + 1}`, base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 10 });
    }
    const { id: keyId, key } = await admin<{ id: string; key: string }>(first, "POST", "/admin/keys", { name: "bench-scale", models: [model] });
    let sent = 0;
    let failed = 0;

    proxy.backends.push(first);
    const warmOne = await load(proxy.url, key, { count: warmupRequests });
    const one = await load(proxy.url, key, { milliseconds: seconds * 1000 });
    console.log(`x1: ${one.requestsPerSecond.toFixed(1)} requests/s (${one.ok} ok, ${one.failed} failed, concurrency ${concurrency}, ${seconds} s)`);

    instances.push(await startInstance(postgres.url));
    proxy.backends.push(instances[1]!.server.url);
    const warmTwo = await load(proxy.url, key, { count: warmupRequests });
    const two = await load(proxy.url, key, { milliseconds: seconds * 1000 });
    console.log(`x2: ${two.requestsPerSecond.toFixed(1)} requests/s (${two.ok} ok, ${two.failed} failed, round-robin over 2 instances)`);
    for (const phase of [warmOne, one, warmTwo, two]) {
      sent += phase.sent;
      failed += phase.failed;
    }

    const records = await admin<{ data: Array<{ status: string }> }>(instances[1]!.server.url, "GET", `/admin/usage/records?key_id=${keyId}&limit=100000`);
    const okRows = records.data.filter((record) => record.status === "ok").length;
    const ledgerOk = failed === 0 && records.data.length === sent && okRows === sent;
    console.log(`ledger: ${records.data.length} rows (${okRows} ok) for ${sent} requests sent (${failed} failed)`);
    const spread = upstreams.map((upstream) => upstream.requests.length);
    console.log(`pool: ${spread.join(" / ")} upstream calls over the three engines of one priority`);
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}; upstreams, proxy, client and both instances share them`);
    console.log(`scale: x2/x1=${(two.requestsPerSecond / one.requestsPerSecond).toFixed(2)} ledger_ok=${ledgerOk ? 1 : 0}`);
    if (!ledgerOk) process.exitCode = 1;
  } finally {
    for (const instance of instances) await stopInstance(instance);
    await proxy.close();
    for (const upstream of upstreams) await upstream.stop();
    await postgres.stop();
  }
}

await main();
