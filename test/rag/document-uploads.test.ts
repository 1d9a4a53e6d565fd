import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KnowledgeService, localOperator, SqliteKnowledgeStore, type DocumentView, type Embedder } from "../../src/rag/index.js";
import { ConflictError } from "../../src/spec/index.js";
import { type TestDatabase, testDatabaseFactories } from "../store/test-databases.js";
import { keywordEmbedder } from "./support/keyword-embedding-model.js";

/**
 * A keyword embedder whose calls wait while its gate is closed (an abort still ends the wait), so a test can look at
 * documents mid-ingestion without depending on timing. The dimension probe of a new index passes.
 */
function gatedEmbedder(modelId: string) {
  const inner = keywordEmbedder(["vacation", "receipts", "parking", "canteen"], { modelId, chunkSize: 16, chunkOverlap: 2 });
  let gate: Promise<void> | undefined;
  let release: (() => void) | undefined;
  const embedder: Embedder = {
    ...inner,
    model: {
      ...inner.model,
      async doEmbed(options) {
        const waiting = gate;
        if (waiting && options.values[0] !== "dimension probe") {
          await new Promise<void>((resolve, reject) => {
            void waiting.then(resolve);
            options.abortSignal?.addEventListener("abort", () => reject(options.abortSignal?.reason), { once: true });
          });
        }
        return inner.model.doEmbed(options);
      },
    },
  };
  return {
    embedder,
    close() {
      gate ??= new Promise<void>((resolve) => (release = resolve));
    },
    open() {
      release?.();
      gate = undefined;
      release = undefined;
    },
  };
}

const longText = (word: string) => `# ${word}\n\n${Array.from({ length: 40 }, (_, index) => `The ${word} rule ${index} says vacation receipts matter.`).join(" ")}`;

async function until<T>(label: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  for (let attempt = 0; attempt < 1500; attempt++) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${label}`);
}

for (const factory of testDatabaseFactories) {
  describe(`document uploads and their per-document state (${factory.dialect} jobs database)`, () => {
    let folder: string;
    let database: TestDatabase;
    let services: KnowledgeService[];
    let first: ReturnType<typeof gatedEmbedder>;
    let second: ReturnType<typeof gatedEmbedder>;
    let knowledge: KnowledgeService;
    const maxUploadBytes = 3 << 20;

    /** A service as an instance opens it (its own home folder: nothing staged there); `start` makes it a job runner. */
    const openService = (start = true) => {
      const service = new KnowledgeService({
        store: new SqliteKnowledgeStore({ path: path.join(folder, "knowledge.db") }),
        database: database.database,
        resolveEmbedder: async (name) => (name === "second" ? second.embedder : first.embedder),
        maxUploadBytes,
        jobPollIntervalMs: 20,
      });
      if (start) service.jobs.start();
      services.push(service);
      return service;
    };
    const documents = async (service = knowledge) => Object.fromEntries((await service.listDocuments(localOperator, "handbook")).map((view) => [view.id, view])) as Record<string, DocumentView>;
    const settled = async (jobId: string) => knowledge.jobs.waitFor(jobId, { intervalMs: 20 });
    /** Uploads staged in the database (the copies kept until their document is stored, deleted or uploaded again). */
    const stagedFiles = async () =>
      Number((await database.database.db.selectFrom("stored_blobs").select((eb) => eb.fn.countAll().as("count")).where("purpose", "=", "knowledge.upload").executeTakeFirstOrThrow()).count);

    beforeEach(async () => {
      folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-uploads-"));
      database = await factory.open();
      services = [];
      first = gatedEmbedder("first");
      second = gatedEmbedder("second");
      knowledge = openService();
      await knowledge.createKnowledgeBase(localOperator, { name: "handbook", embeddingModel: "first" });
    }, 60_000);
    afterEach(async () => {
      first.open();
      second.open();
      for (const service of services) await service.dispose();
      await database.close();
      fs.rmSync(folder, { recursive: true, force: true });
    });

    it("records each document's stage and progress, its outcome and a failure's reason, and keeps them for a new process", async () => {
      first.close();
      const job = await knowledge.addDocuments(localOperator, "handbook", [
        { name: "vacation.md", text: longText("vacation") },
        { name: "receipts.txt", text: "Keep receipts for the accounting team." },
        { name: "broken.pdf", bytes: new TextEncoder().encode("%PDF-1.7 not really a pdf") },
      ]);
      const during = await until("vacation.md embedding", async () => {
        const listed = await documents();
        return listed["vacation.md"]?.stage === "embedding" && listed;
      });
      for (const view of Object.values(during)) {
        expect(view.status).toBe("processing");
        expect(["queued", "parsing", "embedding", "storing"]).toContain(view.stage);
      }
      expect(Object.keys(during).sort()).toEqual(["broken.pdf", "receipts.txt", "vacation.md"]);
      expect(during["vacation.md"]!.progress!.total).toBeGreaterThan(1);
      first.open();
      expect((await settled(job.id)).status).toBe("completed");

      const after = await documents();
      expect(after["vacation.md"]).toMatchObject({ status: "ready", stage: "ready", error: undefined, retryable: false });
      expect(after["vacation.md"]!.progress).toEqual({ done: after["vacation.md"]!.chunkCount, total: after["vacation.md"]!.chunkCount });
      expect(after["receipts.txt"]).toMatchObject({ status: "ready", stage: "ready", chunkCount: 1 });
      expect(after["broken.pdf"]).toMatchObject({ status: "failed", stage: "failed", errorCode: "corrupt_document", retryable: true, jobId: job.id });
      expect(after["broken.pdf"]!.error).toMatch(/pdf/i);
      // Only the failed upload's file is kept (for a retry).
      expect(await stagedFiles()).toBe(1);

      // Another process (a restarted server) reads the same states from the databases.
      const restarted = openService();
      expect(await documents(restarted)).toEqual(after);
      expect(await restarted.getDocument(localOperator, "handbook", "broken.pdf")).toEqual(after["broken.pdf"]);
    });

    it("lists pages filtered by status and name, with the total and the count of each status", async () => {
      const names = ["a.md", "b.md", "c.md", "d.txt", "e.txt"];
      const job = await knowledge.addDocuments(localOperator, "handbook", [
        ...names.map((name) => ({ name, text: `Document ${name} is about parking.` })),
        { name: "f.docx", bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
      ]);
      await settled(job.id);
      const page = await knowledge.listDocumentPage(localOperator, "handbook", { offset: 2, limit: 2 });
      expect(page.documents.map((view) => view.id)).toEqual(["c.md", "d.txt"]);
      expect(page.total).toBe(6);
      expect(page.counts).toEqual({ ready: 5, processing: 0, failed: 1, cancelled: 0 });
      const failed = await knowledge.listDocumentPage(localOperator, "handbook", { status: "failed" });
      expect(failed.documents.map((view) => view.id)).toEqual(["f.docx"]);
      expect(failed.total).toBe(1);
      expect(failed.counts.ready).toBe(5);
      const searched = await knowledge.listDocumentPage(localOperator, "handbook", { search: ".TXT" });
      expect(searched.documents.map((view) => view.id)).toEqual(["d.txt", "e.txt"]);
      expect((await knowledge.listDocumentPage(localOperator, "handbook", { offset: 10, limit: 5 })).documents).toEqual([]);
    });

    it("cancels one processing document while the others go on, then retries it from its kept file", async () => {
      first.close();
      await knowledge.addDocuments(localOperator, "handbook", [
        { name: "one.md", text: longText("one") },
        { name: "two.md", text: longText("two") },
        { name: "three.md", text: longText("three") },
      ]);
      await until("one.md embedding", async () => (await documents())["one.md"]?.stage === "embedding");
      const cancelled = await knowledge.cancelDocument(localOperator, "handbook", "two.md");
      expect(cancelled).toMatchObject({ id: "two.md", status: "cancelled", stage: "cancelled", retryable: true });
      first.open();
      const done = await until("one.md and three.md ready", async () => {
        const listed = await documents();
        return listed["one.md"]?.status === "ready" && listed["three.md"]?.status === "ready" && listed;
      });
      expect(done["two.md"]).toMatchObject({ status: "cancelled", retryable: true });
      expect((await knowledge.query(localOperator, "handbook", { query: "two rule", mode: "lexical", top: 50 })).passages.map((passage) => passage.documentId)).not.toContain("two.md");

      await expect(knowledge.cancelDocument(localOperator, "handbook", "one.md")).rejects.toMatchObject({ code: "document_not_processing", statusCode: 409 });
      await expect(knowledge.retryDocument(localOperator, "handbook", "one.md")).rejects.toBeInstanceOf(ConflictError);
      const retry = await knowledge.retryDocument(localOperator, "handbook", "two.md");
      expect((await settled(retry.id)).result).toMatchObject({ added: 1, failed: 0 });
      expect((await documents())["two.md"]).toMatchObject({ status: "ready", retryable: false, jobId: retry.id });
      expect(await stagedFiles()).toBe(0);
      await expect(knowledge.retryDocument(localOperator, "handbook", "missing.md")).rejects.toMatchObject({ code: "document_not_found" });
    });

    it("cancels a whole ingestion job (its documents become cancelled and retryable) and a re-index (the serving index stays)", async () => {
      first.close();
      const job = await knowledge.addDocuments(localOperator, "handbook", [
        { name: "p.md", text: longText("p") },
        { name: "q.md", text: longText("q") },
      ]);
      await until("p.md embedding", async () => (await documents())["p.md"]?.stage === "embedding");
      expect((await knowledge.cancelJob(localOperator, "handbook", job.id)).status).toBe("cancelled");
      const listed = await documents();
      expect(listed["p.md"]).toMatchObject({ status: "cancelled", retryable: true });
      expect(listed["q.md"]).toMatchObject({ status: "cancelled", retryable: true });
      first.open();
      // Cancelling a finished job returns it unchanged.
      expect((await knowledge.cancelJob(localOperator, "handbook", job.id)).status).toBe("cancelled");
      const retried = await knowledge.retryDocument(localOperator, "handbook", "q.md");
      expect((await settled(retried.id)).status).toBe("completed");
      expect((await documents())["q.md"]!.status).toBe("ready");

      second.close();
      const reindex = await knowledge.reindex(localOperator, "handbook", { embeddingModel: "second" });
      await until("reindexing", async () => (await knowledge.getKnowledgeBase(localOperator, "handbook")).status === "reindexing");
      expect((await knowledge.cancelJob(localOperator, "handbook", reindex.id)).status).toBe("cancelled");
      second.open();
      expect(await knowledge.getKnowledgeBase(localOperator, "handbook")).toMatchObject({ status: "ready", reindexing: undefined, embeddingModel: "first" });
      expect((await knowledge.query(localOperator, "handbook", { query: "q rule vacation", mode: "hybrid" })).passages[0]?.documentId).toBe("q.md");
      await expect(knowledge.cancelJob(localOperator, "handbook", "no-such-job")).rejects.toMatchObject({ code: "job_not_found" });
    });

    it("deleting a failed upload or the knowledge base removes the kept files", async () => {
      const job = await knowledge.addDocuments(localOperator, "handbook", [
        { name: "bad.pdf", bytes: new TextEncoder().encode("not a pdf at all") },
        { name: "worse.docx", bytes: new TextEncoder().encode("not a docx") },
      ]);
      await settled(job.id);
      expect(await stagedFiles()).toBe(2);
      await knowledge.removeDocument(localOperator, "handbook", "bad.pdf");
      expect(await stagedFiles()).toBe(1);
      await expect(knowledge.getDocument(localOperator, "handbook", "bad.pdf")).rejects.toMatchObject({ code: "document_not_found" });
      await knowledge.deleteKnowledgeBase(localOperator, "handbook");
      expect(await stagedFiles()).toBe(0);
    });

    it("stages uploads in the database: an instance that did not receive the upload runs its job", async () => {
      // The receiving instance runs no jobs; the other one (sharing only the databases) is the only worker.
      const receiver = openService(false);
      await knowledge.dispose();
      const worker = openService();
      first.close();
      const job = await receiver.addDocuments(localOperator, "handbook", [
        { name: "parking.md", text: longText("parking") },
        { name: "canteen.txt", bytes: new TextEncoder().encode("The canteen opens at noon; parking is free after six.") },
      ]);
      expect(await stagedFiles()).toBe(2);
      await until("parking.md embedding on the worker", async () => (await documents(receiver))["parking.md"]?.stage === "embedding");
      first.open();
      expect((await worker.jobs.waitFor(job.id, { intervalMs: 20 })).result).toMatchObject({ added: 2, failed: 0 });
      expect((await receiver.query(localOperator, "handbook", { query: "canteen noon", mode: "lexical" })).passages[0]?.documentId).toBe("canteen.txt");
      // Stored: their staged copies are gone.
      expect(await stagedFiles()).toBe(0);
    });

    it("keeps a large failed upload in 1 MiB parts for a retry on any instance, and refuses an upload over the limit with 413", async () => {
      const large = new Uint8Array((5 << 20) / 2).fill(0x41);
      large.set(new TextEncoder().encode("%PDF-1.7\n"));
      const job = await knowledge.addDocuments(localOperator, "handbook", [{ name: "scan.pdf", bytes: large }]);
      expect((await settled(job.id)).result).toMatchObject({ failed: 1 });
      expect(await stagedFiles()).toBe(1);
      const parts = await database.database.db.selectFrom("stored_blob_parts").select((eb) => eb.fn.countAll().as("count")).executeTakeFirstOrThrow();
      expect(Number(parts.count)).toBe(3);
      const other = openService();
      expect(await other.getDocument(localOperator, "handbook", "scan.pdf")).toMatchObject({ status: "failed", errorCode: "corrupt_document", retryable: true });
      const retry = await other.retryDocument(localOperator, "handbook", "scan.pdf");
      expect((await other.jobs.waitFor(retry.id, { intervalMs: 20 })).result).toMatchObject({ failed: 1 });
      expect((await documents(other))["scan.pdf"]).toMatchObject({ status: "failed", errorCode: "corrupt_document", retryable: true });

      const tooLarge = new Uint8Array(maxUploadBytes + 1);
      const refused = knowledge.addDocuments(localOperator, "handbook", [
        { name: "small.txt", text: "A small note about parking." },
        { name: "huge.bin", bytes: tooLarge },
      ]);
      await expect(refused).rejects.toMatchObject({ statusCode: 413, code: "upload_too_large", param: "documents" });
      await expect(refused).rejects.toThrow(`document huge.bin has ${maxUploadBytes + 1} bytes; an uploaded document may have at most ${maxUploadBytes} bytes`);
      // Nothing of the refused upload was staged or queued.
      expect(await stagedFiles()).toBe(1);
      await expect(knowledge.getDocument(localOperator, "handbook", "small.txt")).rejects.toMatchObject({ code: "document_not_found" });
      await knowledge.removeDocument(localOperator, "handbook", "scan.pdf");
      expect(await stagedFiles()).toBe(0);
      expect(Number((await database.database.db.selectFrom("stored_blob_parts").select((eb) => eb.fn.countAll().as("count")).executeTakeFirstOrThrow()).count)).toBe(0);
    });
  });
}
