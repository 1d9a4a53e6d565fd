import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/store/index.js";
import { jsonOf, runAiplus } from "../cli/run-aiplus.js";
import { datasetPath } from "../eval/support/datasets-path.js";
import { httpClient, pollRun } from "../eval/support/http-client.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { testModelPath } from "../support/test-models.js";

// Two aiplus server processes (two instances, each with its own home folder) on one PostgreSQL database: an upload
// accepted by instance A is ingested by B after A was killed (its staged copy is in the database, not in A's home),
// and an evaluation dataset configured on A's machine (then deleted there) is used by a run on B.
const adminKey = "aip_shared_state_admin_key_0123456789";
const keySecret = "shared-state-key-secret-0123456789";

let postgres: TestPostgres;
let database: Database;
const homes: string[] = [];
const servers: ServerProcess[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  for (const server of servers) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
  }
  await database?.dispose();
  await postgres?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

function newHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-shared-state-"));
  homes.push(home);
  return home;
}

async function startInstance(home: string): Promise<ServerProcess> {
  const server = await spawnServer({
    AIPLUS_HOME: home,
    AIPLUS_DATABASE_URL: postgres.url,
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

/** Files below a folder (recursively). */
function filesBelow(folder: string): string[] {
  return fs.existsSync(folder) ? fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name)) : [];
}

const policies = Array.from({ length: 12 }, (_, index) => ({
  name: `policy-${index}.md`,
  text: `# Policy ${index}\n\n${Array.from({ length: 30 }, (_, line) => `Rule ${index}.${line}: badge ${index} opens door ${line}; receipts go to desk ${index}.`).join(" ")}`,
}));

describe("state shared by two aiplus instances on one PostgreSQL", () => {
  it("ingests on B an upload accepted by A (A killed), and runs on B an eval dataset configured on A's machine", async () => {
    const homeA = newHome();
    const homeB = newHome();
    const instanceA = await startInstance(homeA);
    const instanceB = await startInstance(homeB);
    const onA = httpClient(instanceA.url, adminKey);
    const onB = httpClient(instanceB.url, adminKey);
    database = await openDatabase(postgres.url);
    // Registered once (the registry is shared; each instance loads the file from its own disk).
    expect((await onA("POST", "/admin/models", { path: await testModelPath("tiny-bert-random.gguf"), name: "bert" })).status).toBe(201);
    expect((await onA("POST", "/admin/models", { path: await testModelPath("stories260K.gguf"), name: "stories" })).status).toBe(201);
    expect((await onA("POST", "/knowledge-bases", { name: "handbook", embedding_model: "bert" })).status).toBe(201);

    // The upload is accepted by A, which is killed at once: B (the only instance left) runs the job.
    const upload = await onA("POST", "/knowledge-bases/handbook/documents", { documents: policies });
    expect(upload.status, upload.text).toBe(202);
    instanceA.child.kill("SIGKILL");
    expect(await instanceA.exited).toBe("SIGKILL");
    let job: any;
    for (;;) {
      job = (await onB("GET", `/knowledge-bases/handbook/jobs/${upload.body.id as string}`)).body;
      if (job.status === "completed" || job.status === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(job).toMatchObject({ status: "completed", result: { added: policies.length, failed: 0 } });
    // A was dead before the job could finish there, so B ran it (taking it over if A had claimed it).
    expect(instanceA.child.signalCode).toBe("SIGKILL");
    const found = await onB("POST", "/knowledge-bases/handbook/query", { query: "badge 7 opens door", mode: "lexical", top_k: 3 });
    expect(found.status, found.text).toBe(200);
    expect(found.body.data[0].document_id).toBe("policy-7.md");
    const listed = await onB("GET", "/knowledge-bases/handbook/documents");
    expect(listed.body.counts).toMatchObject({ ready: policies.length, processing: 0, failed: 0 });
    // Stored, so their staged copies are gone; nothing was ever staged in either home folder.
    const staged = await database.db.selectFrom("stored_blobs").select((eb) => eb.fn.countAll().as("count")).where("purpose", "=", "knowledge.upload").executeTakeFirstOrThrow();
    expect(Number(staged.count)).toBe(0);
    expect([...filesBelow(homeA), ...filesBelow(homeB)].filter((file) => file.includes("staging"))).toEqual([]);

    // The dataset is configured with the CLI on A's machine (A's home, the shared database), then its file is deleted.
    const copies = newHome();
    const hellaswag = path.join(copies, "hellaswag_val.txt");
    fs.copyFileSync(datasetPath("hellaswag", "hellaswag_val_first200.txt"), hellaswag);
    const cliEnvironment = { AIPLUS_DATABASE_URL: postgres.url, AIPLUS_KEY_SECRET: keySecret, AIPLUS_ADMIN_KEY: adminKey };
    const configured = await runAiplus(["eval", "dataset", "hellaswag", hellaswag, "--json"], { home: homeA, env: cliEnvironment });
    expect(configured.code, configured.stderr).toBe(0);
    expect(jsonOf(configured)).toEqual({ task: "hellaswag", path: hellaswag, few_shot_path: null });
    fs.rmSync(hellaswag);

    // A corrupt file is refused when it is configured (the task reads it as a run would), and changes nothing.
    const corrupt = path.join(copies, "corrupt.txt");
    fs.writeFileSync(corrupt, "this is not a hellaswag file\n");
    const refused = await runAiplus(["eval", "dataset", "hellaswag", corrupt], { home: homeA, env: cliEnvironment });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("corrupt.txt");
    const missing = await runAiplus(["eval", "dataset", "hellaswag", path.join(copies, "absent.txt")], { home: homeA, env: cliEnvironment });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`${path.join(copies, "absent.txt")} does not exist`);

    const tasks = await onB("GET", "/evals/tasks");
    expect(tasks.body.data.find((task: { name: string }) => task.name === "hellaswag")).toMatchObject({ dataset_configured: true, dataset: { path: hellaswag, few_shot_path: null } });
    const started = await onB("POST", "/evals", { task: "hellaswag", model: "stories", limit: 4 });
    expect(started.status, started.text).toBe(202);
    const run = await pollRun(onB, started.body.id as string, (candidate) => candidate.status !== "pending" && candidate.status !== "running");
    expect(run).toMatchObject({ status: "completed", progress: { done: 4, total: 4 } });
    // B read the stored files from its own cache, unpacked from the database; A's home holds no copy.
    expect(filesBelow(path.join(homeB, "cache", "eval-datasets")).map((file) => path.basename(file))).toEqual(["hellaswag_val.txt"]);
    expect(filesBelow(homeA).some((file) => file.endsWith("hellaswag_val.txt"))).toBe(false);
  }, 300_000);
});
