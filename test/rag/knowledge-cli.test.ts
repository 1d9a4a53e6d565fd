import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Document, HeadingLevel, Packer, Paragraph } from "docx";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createPlatform } from "../../src/platform/index.js";
import { SqliteKnowledgeStore } from "../../src/rag/index.js";
import { aiplusBin, cliEnvironment, jsonOf, oneLineError, runAiplus, temporaryHome } from "../cli/run-aiplus.js";
import { testModelPath } from "../support/test-models.js";

let home: string;
const kb = (...args: string[]) => runAiplus(["kb", ...args], { home });

/** Deterministic filler prose: `count` sentences about `topic`. */
function prose(topic: string, count: number): string {
  const words = ["policy", "office", "review", "budget", "schedule", "team", "report", "project", "client", "meeting"];
  return Array.from({ length: count }, (_, index) => `The ${topic} ${words[index % words.length]} number ${index} is handled by ${words[(index * 7) % words.length]} staff.`).join(" ");
}

beforeAll(async () => {
  home = temporaryHome();
  const model = await testModelPath("tiny-bert-random.gguf");
  for (const name of ["bert", "bert2"]) expect((await runAiplus(["models", "add", model, "--name", name], { home })).code).toBe(0);
}, 60_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe("aiplus kb", () => {
  it("creates, adds a folder of every format (re-running skips unchanged files), queries, shows, lists and deletes documents", async () => {
    const docs = path.join(home, "docs");
    fs.mkdirSync(path.join(docs, "policies"), { recursive: true });
    fs.writeFileSync(path.join(docs, "vacation.md"), "# Vacation\n\nNew staff get 25 vacation days per year.\n");
    fs.writeFileSync(path.join(docs, "policies", "travel.html"), "<html><head><title>Travel</title></head><body><h1>Travel</h1><p>Trains are booked in second class.</p></body></html>");
    fs.writeFileSync(path.join(docs, "phones.csv"), "name,extension\nreception,100\nfacilities,200\n");
    fs.writeFileSync(path.join(docs, "faq.json"), JSON.stringify({ question: "Where is the canteen?", answer: "On the ground floor." }));
    const docx = new Document({ sections: [{ children: [new Paragraph({ text: "Security", heading: HeadingLevel.HEADING_1 }), new Paragraph("Badges must be worn visibly.")] }] });
    fs.writeFileSync(path.join(docs, "security.docx"), await Packer.toBuffer(docx));
    fs.writeFileSync(path.join(docs, "broken.docx"), "this is not a zip archive");

    const created = await kb("create", "handbook", "--embedding-model", "bert", "--json");
    expect(created.code).toBe(0);
    expect(jsonOf<{ name: string; embedding_model: string; dimensions: number }>(created)).toMatchObject({ object: "knowledge_base", name: "handbook", embedding_model: "bert", dimensions: 32 });

    const added = await kb("add", "handbook", docs, "--json");
    expect(added.code).toBe(1); // one corrupt file
    const result = jsonOf<{ added: number; failed: number; documents: Array<{ name: string; status: string; error?: string }> }>(added);
    expect(result).toMatchObject({ added: 5, failed: 1 });
    expect(result.documents.find((document) => document.name === "broken.docx")?.status).toBe("failed");
    expect(added.stderr).toMatch(/^aiplus: broken\.docx: /m);
    expect(added.stderr.trim().split("\n").at(-1)).toBe("aiplus: 1 of 6 documents failed");

    fs.rmSync(path.join(docs, "broken.docx"));
    const again = await kb("add", "handbook", docs);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("0 added, 0 replaced, 5 unchanged, 0 failed");
    expect(again.stderr).toMatch(/kb add handbook: 5\/5 files \(completed\)/);

    const query = await kb("query", "handbook", "How many vacation days do new staff get?", "--top", "2", "--mode", "lexical", "--json");
    expect(query.code).toBe(0);
    const hits = jsonOf<Array<{ text: string; score: number; document: string; heading: string }>>(query);
    expect(hits[0]).toMatchObject({ document: "vacation.md", heading: "Vacation" });
    expect(hits[0]!.text).toContain("25 vacation days");
    const badge = jsonOf<Array<{ document: string }>>(await kb("query", "handbook", "badges worn visibly", "--mode", "hybrid", "--json"));
    expect(badge[0]!.document).toBe("security.docx");

    const shown = jsonOf<{ document_count: number; documents: Array<{ name: string; status: string }> }>(await kb("show", "handbook", "--json"));
    expect(shown.document_count).toBe(5);
    expect(shown.documents.filter((document) => document.status === "ready").map((document) => document.name).sort()).toEqual(
      ["faq.json", "phones.csv", "policies/travel.html", "security.docx", "vacation.md"],
    );
    expect((await kb("ls")).stdout).toMatch(/^handbook\s+kb_\w+\s+local\s+bert\s+5/m);

    const removedDocument = await kb("rm-doc", "handbook", "vacation.md", "--json");
    expect(removedDocument.code).toBe(0);
    expect(jsonOf(removedDocument)).toEqual({ id: "vacation.md", object: "knowledge_base.document.deleted", knowledge_base: "handbook", deleted: true });
    expect(jsonOf<unknown[]>(await kb("query", "handbook", "vacation days", "--mode", "lexical", "--json"))).toEqual([]);
    const missing = await kb("rm-doc", "handbook", "vacation.md");
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("aiplus: document vacation.md not found in knowledge base handbook");
    expect((await kb("create", "other")).code).toBe(2); // --embedding-model missing
  }, 120_000);

  it("resumes an ingestion killed with SIGKILL after a restart, without duplicating chunks", async () => {
    const docs = path.join(home, "many");
    fs.mkdirSync(docs, { recursive: true });
    const fileCount = 80;
    for (let index = 0; index < fileCount; index++) fs.writeFileSync(path.join(docs, `file-${String(index).padStart(3, "0")}.txt`), prose(`topic${index}`, 60));
    expect((await kb("create", "big", "--embedding-model", "bert")).code).toBe(0);

    const child = spawn(process.execPath, [aiplusBin, "kb", "add", "big", docs], { env: cliEnvironment(home), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const killed = await new Promise<number>((resolve, reject) => {
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
        const done = [...stderr.matchAll(/(\d+)\/\d+ files \(running\)/g)].map((match) => Number(match[1])).at(-1) ?? 0;
        if (done >= 2 && child.exitCode === null) {
          child.kill("SIGKILL");
          resolve(done);
        }
      });
      child.on("exit", (code, signal) => (signal === "SIGKILL" ? undefined : reject(new Error(`kb add ended (${code}) before it was killed: ${stderr}`))));
    });
    await new Promise((resolve) => child.on("close", resolve));
    expect(killed).toBeLessThan(fileCount);

    const main = new Database(path.join(home, "aiplus.db"), { readonly: true });
    const interrupted = main.prepare("SELECT id, status, attempts, progress_done FROM jobs WHERE kind = 'knowledge.ingest' ORDER BY created_at DESC LIMIT 1").get() as { id: string; status: string; progress_done: number };
    main.close();
    expect(interrupted.status).toBe("running"); // its runner is gone
    expect(interrupted.progress_done).toBeLessThan(fileCount);

    // Restart: a server over the same state folder takes the job over (its holder's process is dead) and finishes it.
    const config = loadConfig({ environment: {}, flags: { home, port: 0, threads: 1, gpu: "cpu", logLevel: "silent" } });
    const platform = await createPlatform({ config, logger: pino({ level: "silent" }) });
    await platform.start();
    const job = await platform.knowledge.jobs.waitFor(interrupted.id, { intervalMs: 100 });
    await platform.dispose();
    expect(job.status).toBe("completed");
    expect(job.attempts).toBe(2);
    const result = job.result as { documents: Array<{ status: string; chunkCount: number }>; added: number; unchanged: number; failed: number };
    expect(result.failed).toBe(0);
    expect(result.added + result.unchanged).toBe(fileCount);
    expect(result.unchanged).toBeGreaterThanOrEqual(1); // written before the kill, not redone

    const store = new SqliteKnowledgeStore({ path: path.join(home, "knowledge.db") });
    const knowledge = store.database;
    const base = knowledge.prepare("SELECT id, active_generation_id AS generation FROM rag_knowledge_bases WHERE name = 'big'").get() as { id: string; generation: number };
    const counted = (sql: string) => (knowledge.prepare(sql).get(base.generation) as { n: number }).n;
    const chunks = counted("SELECT COUNT(*) AS n FROM rag_chunks WHERE generation_id = ?");
    expect(chunks).toBe(result.documents.reduce((sum, document) => sum + document.chunkCount, 0));
    expect(counted("SELECT chunk_count AS n FROM rag_generations WHERE id = ?")).toBe(chunks);
    expect((knowledge.prepare(`SELECT COUNT(*) AS n FROM rag_vec_${base.generation}`).get() as { n: number }).n).toBe(chunks);
    expect(counted("SELECT COUNT(DISTINCT document_id) AS n FROM rag_chunks WHERE generation_id = ?")).toBe(fileCount);
    await store.close();

    const rerun = await kb("add", "big", docs, "--json");
    expect(rerun.code).toBe(0);
    expect(jsonOf<{ unchanged: number }>(rerun).unchanged).toBe(fileCount);
  }, 180_000);

  it("switches the embedding model with reindex and grants an API key access", async () => {
    const before = jsonOf<{ chunk_count: number; embedding_model: string }>(await kb("show", "handbook", "--json"));
    expect(before.embedding_model).toBe("bert");
    const reindexed = await kb("reindex", "handbook", "--embedding-model", "bert2", "--json");
    expect(reindexed.code).toBe(0);
    expect(jsonOf<{ embedding_model: string; chunk_count: number; reindexing: unknown }>(reindexed)).toMatchObject({ embedding_model: "bert2", chunk_count: before.chunk_count, reindexing: null });
    const hits = jsonOf<Array<{ document: string }>>(await kb("query", "handbook", "badges worn visibly", "--mode", "hybrid", "--json"));
    expect(hits[0]!.document).toBe("security.docx");
    expect((await kb("reindex", "handbook", "--embedding-model", "nope")).code).toBe(1);

    const key = jsonOf<{ id: string; prefix: string }>(await runAiplus(["keys", "create", "--name", "reader", "--json"], { home }));
    const granted = await kb("grant", "handbook", "--key", key.prefix, "--json");
    expect(granted.code).toBe(0);
    expect(jsonOf(granted)).toEqual({ object: "list", knowledge_base: "handbook", key_id: key.id, data: [key.id] });
    expect((await kb("revoke", "handbook", "--key", key.id)).stdout).toMatch(/^revoked reader/);
  }, 120_000);

  it("names documents by their path relative to the inputs' common folder, so same-named files stay apart", async () => {
    const root = path.join(home, "teams");
    for (const [team, text] of [["teamA", "Team A meets in the aquarium room."], ["teamB", "Team B meets in the garden room."]] as const) {
      fs.mkdirSync(path.join(root, team), { recursive: true });
      fs.writeFileSync(path.join(root, team, "notes.md"), `# Notes\n\n${text}\n`);
    }
    expect((await kb("create", "k2", "--embedding-model", "bert")).code).toBe(0);
    const added = await kb("add", "k2", path.join(root, "teamA", "notes.md"), path.join(root, "teamB", "notes.md"), "--json");
    expect(added.code).toBe(0);
    const result = jsonOf<{ added: number; documents: Array<{ document_id: string; status: string }> }>(added);
    expect(result.added).toBe(2);
    expect(result.documents.map((document) => document.document_id).sort()).toEqual(["teamA/notes.md", "teamB/notes.md"]);
    const hits = jsonOf<Array<{ document: string }>>(await kb("query", "k2", "aquarium room", "--mode", "lexical", "--json"));
    expect(hits[0]!.document).toBe("teamA/notes.md");
    // Two folders: their files are named below the common folder too.
    const folders = jsonOf<{ unchanged: number; added: number }>(await kb("add", "k2", path.join(root, "teamA"), path.join(root, "teamB"), "--json"));
    expect(folders).toMatchObject({ unchanged: 2, added: 0 });
    // One file keeps its base name (re-adding it replaces it).
    const single = jsonOf<{ documents: Array<{ document_id: string }> }>(await kb("add", "k2", path.join(root, "teamA", "notes.md"), "--json"));
    expect(single.documents.map((document) => document.document_id)).toEqual(["notes.md"]);
  }, 120_000);

  it("deletes a failed document with rm-doc", async () => {
    const folder = path.join(home, "failing");
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, "broken.docx"), "this is not a zip archive");
    expect((await kb("create", "k3", "--embedding-model", "bert")).code).toBe(0);
    expect((await kb("add", "k3", folder)).code).toBe(1);
    const documents = async () => jsonOf<{ documents: Array<{ name: string; status: string }> }>(await kb("show", "k3", "--json")).documents;
    expect(await documents()).toEqual([expect.objectContaining({ name: "broken.docx", status: "failed" })]);
    const removed = await kb("rm-doc", "k3", "broken.docx");
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe("deleted broken.docx from k3\n");
    expect(await documents()).toEqual([]);
    const again = await kb("rm-doc", "k3", "broken.docx");
    expect(again.code).toBe(1);
    expect(oneLineError(again)).toBe("aiplus: document broken.docx not found in knowledge base k3");
    // The knowledge base itself: its id, as DELETE /v1/knowledge-bases/{kb} answers.
    const id = jsonOf<{ id: string }>(await kb("show", "k3", "--json")).id;
    const deleted = await kb("rm", "k3", "--json");
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(jsonOf(deleted)).toEqual({ id, object: "knowledge_base.deleted", deleted: true });
    expect(jsonOf<Array<{ name: string }>>(await kb("ls", "--json")).map((view) => view.name)).not.toContain("k3");
  }, 120_000);

  it("refuses to remove an embedding model knowledge bases use unless forced; they then show unusable", async () => {
    expect((await runAiplus(["models", "add", await testModelPath("tiny-bert-random.gguf"), "--name", "bert3"], { home })).code).toBe(0);
    expect((await kb("create", "k4", "--embedding-model", "bert3")).code).toBe(0);
    const refused = await runAiplus(["models", "rm", "bert3"], { home });
    expect(refused.code).toBe(1);
    expect(oneLineError(refused)).toMatch(/^aiplus: model bert3 is used by 1 knowledge base: k4 \(kb_\w+, embedding model\); .*force/);
    const forced = await runAiplus(["models", "rm", "bert3", "--force"], { home });
    expect(forced.code).toBe(0);
    expect((await kb("ls")).stdout).toMatch(/^k4\s+kb_\w+\s+local\s+bert3\s+0\s+0\s+unusable: its embedding model bert3 is no longer registered/m);
    expect(jsonOf<Array<{ name: string; status: string }>>(await kb("ls", "--json")).find((view) => view.name === "k4")?.status).toBe("unusable");
    const query = await kb("query", "k4", "anything");
    expect(query.code).toBe(1);
    expect(oneLineError(query)).toMatch(/^aiplus: knowledge base k4 is unusable: its embedding model bert3 is no longer registered/);
  }, 120_000);
});
