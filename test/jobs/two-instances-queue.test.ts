import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/store/index.js";
import { httpClient, pollRun } from "../eval/support/http-client.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { startTestRedis, type TestRedis } from "../support/redis.js";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";
import { CompletionUpstream } from "./support/completion-upstream.js";

// Two aiplus server processes (two instances) on one PostgreSQL database and one Redis: the scale-out profile, where
// BullMQ delivers background jobs. The job is an evaluation run of a custom task with inline records on a provider
// model (a scripted `/v1/completions` upstream): everything it needs is in the database, unlike a knowledge-base ingestion, whose
// staged upload still lives in the home folder of the instance that took it.
const adminKey = "aip_two_instances_admin_key_0123456789";
const keySecret = "two-instances-key-secret-0123456789";
const model = "remote-model";
const countries = [
  { country: "France", capital: "Paris" },
  { country: "Italy", capital: "Rome" },
  { country: "Peru", capital: "Lima" },
  { country: "Japan", capital: "Tokyo" },
  { country: "Kenya", capital: "Nairobi" },
  { country: "Chile", capital: "Santiago" },
];
/** The item held at the upstream until the instance running the run was killed. */
const heldCountry = "Peru";
const capitals = {
  name: "capitals",
  dataset: { records: countries },
  prompt: { template: "What is the capital of {{country}}?" },
  generation: { maxTokens: 8 },
  scorer: { type: "exact-match", target: "{{capital}}" },
};

let postgres: TestPostgres;
let redis: TestRedis;
let upstream: CompletionUpstream;
let chatUpstream: ScriptedUpstream;
let database: Database;
const homes: string[] = [];
const servers: ServerProcess[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
  redis = await startTestRedis();
  upstream = await CompletionUpstream.start();
  chatUpstream = await ScriptedUpstream.start();
});
afterAll(async () => {
  for (const server of servers) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
  }
  await database?.dispose();
  await upstream?.stop();
  await chatUpstream?.stop();
  await postgres?.stop();
  await redis?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

/** An instance: its own home folder; the database, Redis (and its key prefix), admin key and key secret shared. */
async function startInstance(): Promise<ServerProcess> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-instance-"));
  homes.push(home);
  const server = await spawnServer({
    AIPLUS_HOME: home,
    AIPLUS_DATABASE_URL: postgres.url,
    AIPLUS_REDIS_URL: redis.url,
    AIPLUS_REDIS_PREFIX: redis.prefix,
    AIPLUS_JOB_LEASE_SECONDS: "2",
    AIPLUS_ADMIN_KEY: adminKey,
    AIPLUS_KEY_SECRET: keySecret,
    AIPLUS_THREADS: "1",
    AIPLUS_GPU: "cpu",
    AIPLUS_LOG_LEVEL: "warn",
  });
  servers.push(server);
  return server;
}

const requestsFor = (country: string): number => upstream.promptsWith(country);

/** The pid in a job holder (`host/pid/uuid`). */
const pidOf = (holder: string): number => Number(holder.split("/")[1]);

describe("the BullMQ queue across two aiplus instances on one PostgreSQL and Redis", () => {
  it("runs an eval enqueued on instance A on A or B, and after kill -9 of the instance running it the other finishes it", async () => {
    for (const { country, capital } of countries) upstream.on(country, country === heldCountry ? { hold: true } : { text: capital });
    const instanceA = await startInstance();
    const instanceB = await startInstance();
    const onA = httpClient(instanceA.url, adminKey);
    expect((await onA("POST", "/admin/providers", { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model] })).status).toBe(201);

    const started = await onA("POST", "/evals", { task_definition: capitals, model });
    expect(started.status, started.text).toBe(202);
    const runId = started.body.id as string;

    // The run's job is delivered to one of the instances; it stops at the held item.
    database = await openDatabase(postgres.url);
    const jobOfRun = () => database.db.selectFrom("jobs").select(["id", "status", "holder", "attempts"]).where("subject", "=", runId).executeTakeFirstOrThrow();
    for (const deadline = Date.now() + 60_000; ; ) {
      const job = await database.db.selectFrom("jobs").select(["status", "holder"]).where("subject", "=", runId).executeTakeFirst();
      if (job?.status === "running" && job.holder !== null && requestsFor(heldCountry) === 1) break;
      if (Date.now() > deadline) throw new Error(`the run never reached its held item: job ${JSON.stringify(job)}, prompts ${JSON.stringify(upstream.prompts)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const holderPid = pidOf((await jobOfRun()).holder!);
    expect([instanceA.child.pid, instanceB.child.pid]).toContain(holderPid);
    const [victim, survivor] = holderPid === instanceA.child.pid ? [instanceA, instanceB] : [instanceB, instanceA];
    const onSurvivor = httpClient(survivor.url, adminKey);
    const doneBeforeKill = ((await onSurvivor("GET", `/evals/${runId}/items?limit=100`)).body.data as Array<{ index: number }>).map((item) => item.index);

    victim.child.kill("SIGKILL");
    expect(await victim.exited).toBe("SIGKILL");
    upstream.on(heldCountry, { text: "Lima" });

    // The survivor's queue finds the job stalled (its lock expired) and runs it: the stored items are kept.
    const finished = await pollRun(onSurvivor, runId, (run) => run.status === "completed" || run.status === "failed" || run.status === "cancelled");
    expect(finished.status, JSON.stringify(finished.error)).toBe("completed");
    expect(finished.progress).toEqual({ done: countries.length, total: countries.length });
    const items = (await onSurvivor("GET", `/evals/${runId}/items?limit=100`)).body.data as Array<{ index: number; metrics: Record<string, number> }>;
    expect(items.map((item) => item.index)).toEqual(countries.map((_, index) => index));
    expect(items.every((item) => item.metrics.exact_match === 1)).toBe(true);
    for (const index of doneBeforeKill) expect(requestsFor(countries[index]!.country)).toBe(1); // not redone
    expect(requestsFor(heldCountry)).toBe(2); // cut by the kill, asked again by the survivor
    expect(await jobOfRun()).toMatchObject({ status: "completed", holder: null, attempts: 2 });

    survivor.child.kill("SIGTERM");
    expect(await survivor.exited).toBe(0);
  }, 180_000);

  it("finishes a background response run (started in place on A) on B after kill -9 of A", async () => {
    const instanceA = await startInstance();
    const instanceB = await startInstance();
    const onA = httpClient(instanceA.url, adminKey);
    const onB = httpClient(instanceB.url, adminKey);
    expect((await onA("POST", "/admin/providers", { name: "chat", base_url: chatUpstream.baseUrl, api_key: "sk-up", models: ["chat-model"] })).status).toBe(201);
    chatUpstream.on("user: Greet the other instance", { hold: true });

    const started = await onA("POST", "/responses", { model: "chat-model", input: "Greet the other instance", background: true });
    expect(started.status, started.text).toBe(200);
    const responseId = started.body.id as string;
    await chatUpstream.waitForRequests(1); // the run executes on A, the instance that took the request
    const job = await database.db.selectFrom("jobs").select(["holder"]).where("subject", "=", responseId).where("status", "=", "running").executeTakeFirstOrThrow();
    expect(pidOf(job.holder!)).toBe(instanceA.child.pid);

    instanceA.child.kill("SIGKILL");
    expect(await instanceA.exited).toBe("SIGKILL");
    chatUpstream.on("user: Greet the other instance", { text: "Hello from B." });

    // B's queue sees the run's job without a live holder, queues it, and B's worker takes it over.
    let response: { status: string; output_text?: string; output: Array<{ content?: Array<{ text?: string }> }> };
    for (;;) {
      response = (await onB("GET", `/responses/${responseId}`)).body;
      if (response.status !== "queued" && response.status !== "in_progress") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(response.status).toBe("completed");
    expect(response.output.flatMap((item) => item.content ?? []).map((part) => part.text).join("")).toBe("Hello from B.");
    expect(chatUpstream.requests).toHaveLength(2);

    instanceB.child.kill("SIGTERM");
    expect(await instanceB.exited).toBe(0);
  }, 180_000);
});
