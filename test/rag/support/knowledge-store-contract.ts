import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { contentHash, type EmbeddedChunk, type KnowledgeBaseScope, type KnowledgeStore, type ParsedDocument } from "../../../src/rag/index.js";
import { InvalidRequestError, NotFoundError } from "../../../src/spec/errors/index.js";

/** Builds a document with one chunk per text and the given vectors. */
export function handMadeDocument(documentId: string, texts: string[], vectors: number[][], metadata: Record<string, string | number | boolean> = {}) {
  let text = "";
  const chunks: EmbeddedChunk[] = texts.map((chunkText, ordinal) => {
    if (text) text += "\n\n";
    const start = text.length;
    text += chunkText;
    return {
      documentId, ordinal, text: chunkText, searchText: chunkText, title: `${documentId} title`, headingPath: [], page: ordinal + 1,
      start, end: text.length, tokenCount: chunkText.split(" ").length, contentHash: contentHash(chunkText), vector: new Float32Array(vectors[ordinal]!),
    };
  });
  const parsed: ParsedDocument = { format: "text", title: `${documentId} title`, text, blocks: [], warnings: [] };
  return {
    document: { id: documentId, name: `${documentId}.txt`, contentHash: contentHash(text), title: parsed.title, format: "text" as const, metadata, parsed },
    chunks,
  };
}

/**
 * The behaviour every {@link KnowledgeStore} must have (SQLite now, PostgreSQL + pgvector later).
 * `factory` returns a fresh, empty store; the suite closes it.
 */
export function runKnowledgeStoreContract(name: string, factory: () => KnowledgeStore | Promise<KnowledgeStore>): void {
  describe(`KnowledgeStore contract: ${name}`, () => {
    let store: KnowledgeStore;
    const alice: KnowledgeBaseScope = { knowledgeBaseId: "kb-alice", ownerId: "alice" };
    const bob: KnowledgeBaseScope = { knowledgeBaseId: "kb-bob", ownerId: "bob" };
    let generationId: number;

    beforeEach(async () => {
      store = await factory();
      await store.createKnowledgeBase({ id: alice.knowledgeBaseId, ownerId: alice.ownerId, name: "handbook" });
      await store.createKnowledgeBase({ id: bob.knowledgeBaseId, ownerId: bob.ownerId, name: "handbook" });
      generationId = (await store.createGeneration(alice, { embeddingModelId: "test/3d", dimensions: 3, chunkSize: 64, chunkOverlap: 8 })).id;
      await store.createGeneration(bob, { embeddingModelId: "test/3d", dimensions: 3, chunkSize: 64, chunkOverlap: 8 });
    });
    afterEach(async () => store.close());

    const write = (scope: KnowledgeBaseScope, document: ReturnType<typeof handMadeDocument>, generation: number) =>
      store.writeDocument(scope, { document: document.document, generations: [{ generationId: generation, chunks: document.chunks }] });
    const activeGeneration = async (scope: KnowledgeBaseScope) => (await store.getKnowledgeBase(scope))!.activeGenerationId!;

    it("creates knowledge bases per owner, the first generation active", async () => {
      expect((await store.listKnowledgeBases("alice")).map((knowledgeBase) => knowledgeBase.id)).toEqual(["kb-alice"]);
      expect(await store.getKnowledgeBase({ knowledgeBaseId: "kb-alice", ownerId: "bob" })).toBeUndefined();
      expect((await store.getKnowledgeBase(alice))!.activeGenerationId).toBe(generationId);
      await expect(store.createKnowledgeBase({ id: "other", ownerId: "alice", name: "handbook" })).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it("returns the right neighbours for known vectors (cosine)", async () => {
      await write(alice, handMadeDocument("geo", ["north", "east", "north east", "south"], [[0, 1, 0], [1, 0, 0], [0.7, 0.7, 0], [0, -1, 0]]), generationId);
      const hits = await store.vectorSearch(alice, new Float32Array([0.1, 1, 0]), { limit: 3 });
      expect(hits.map((hit) => hit.text)).toEqual(["north", "north east", "east"]);
      expect(hits[0]!.score).toBeGreaterThan(0.99);
      expect(hits[0]).toMatchObject({ documentId: "geo", documentName: "geo.txt", page: 1, start: 0, end: 5 });
      await expect(store.vectorSearch(alice, new Float32Array([1, 0]))).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it("ranks a clearly relevant chunk first with BM25 and ignores queries without known terms", async () => {
      await write(alice, handMadeDocument("pets", ["cats sleep most of the day", "dogs need daily walks outside"], [[1, 0, 0], [0, 1, 0]]), generationId);
      await write(alice, handMadeDocument("leave", ["new staff get twenty vacation days per year", "the office closes on public holidays"], [[0, 0, 1], [0, 1, 1]]), generationId);
      const hits = await store.lexicalSearch(alice, "How many vacation days do new staff get?");
      expect(hits[0]!.text).toBe("new staff get twenty vacation days per year");
      expect(hits[0]!.score).toBeGreaterThan(hits[1]?.score ?? 0);
      expect(await store.lexicalSearch(alice, "zzz qqq")).toEqual([]);
      expect(await store.lexicalSearch(alice, "!!! ???")).toEqual([]);
    });

    it("applies document and metadata filters to both searches", async () => {
      await write(alice, handMadeDocument("a", ["policy on travel"], [[1, 0, 0]], { team: "sales", year: 2024 }), generationId);
      await write(alice, handMadeDocument("b", ["policy on travel expenses"], [[0.9, 0.1, 0]], { team: "legal", year: 2024 }), generationId);
      const query = new Float32Array([1, 0, 0]);
      expect((await store.lexicalSearch(alice, "travel policy", { filter: { metadata: { team: "legal" } } })).map((hit) => hit.documentId)).toEqual(["b"]);
      expect((await store.vectorSearch(alice, query, { filter: { metadata: { team: "legal" } } })).map((hit) => hit.documentId)).toEqual(["b"]);
      expect((await store.vectorSearch(alice, query, { filter: { documentIds: ["b"] } })).map((hit) => hit.documentId)).toEqual(["b"]);
      expect((await store.lexicalSearch(alice, "travel", { filter: { metadata: { year: 2024 } } })).length).toBe(2);
      await expect(store.lexicalSearch(alice, "travel", { filter: { metadata: { "bad\"key": 1 } } })).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it("replaces a document atomically, leaving no orphan chunks, vectors or lexical entries", async () => {
      await write(alice, handMadeDocument("doc", ["alpha apples", "beta bananas", "gamma grapes"], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]), generationId);
      await write(alice, handMadeDocument("doc", ["delta dates"], [[1, 1, 0]]), generationId);
      expect((await store.countChunks(alice, "doc")).get(generationId)).toBe(1);
      expect(await store.lexicalSearch(alice, "bananas")).toEqual([]);
      expect((await store.lexicalSearch(alice, "dates")).map((hit) => hit.text)).toEqual(["delta dates"]);
      expect((await store.vectorSearch(alice, new Float32Array([0, 0, 1]), { limit: 10 })).map((hit) => hit.text)).toEqual(["delta dates"]);
      expect((await store.listDocuments(alice)).length).toBe(1);
    });

    it("deletes a document with all its chunks, vectors and lexical entries", async () => {
      await write(alice, handMadeDocument("keep", ["kept text about oranges"], [[1, 0, 0]]), generationId);
      await write(alice, handMadeDocument("drop", ["dropped text about oranges"], [[0.9, 0, 0.1]]), generationId);
      expect(await store.deleteDocument(alice, "drop")).toBe(true);
      expect(await store.deleteDocument(alice, "drop")).toBe(false);
      expect((await store.lexicalSearch(alice, "oranges")).map((hit) => hit.documentId)).toEqual(["keep"]);
      expect((await store.vectorSearch(alice, new Float32Array([1, 0, 0]), { limit: 10 })).map((hit) => hit.documentId)).toEqual(["keep"]);
      expect((await store.countChunks(alice, "drop")).size).toBe(0);
      expect(await store.getDocument(alice, "drop")).toBeUndefined();
      expect(await store.getChunkVectors(alice, [1, 2, 3, 4])).toSatisfy((vectors: Map<number, Float32Array>) => vectors.size === 1);
    });

    it("isolates knowledge bases and owners", async () => {
      await write(alice, handMadeDocument("secret", ["alice salary table"], [[1, 0, 0]]), generationId);
      await write(bob, handMadeDocument("public", ["bob lunch menu"], [[1, 0, 0]]), await activeGeneration(bob));
      expect((await store.lexicalSearch(bob, "salary"))).toEqual([]);
      expect((await store.vectorSearch(bob, new Float32Array([1, 0, 0]), { limit: 10 })).map((hit) => hit.documentId)).toEqual(["public"]);
      const intruder = { knowledgeBaseId: "kb-alice", ownerId: "bob" };
      await expect(store.lexicalSearch(intruder, "salary")).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.vectorSearch(intruder, new Float32Array([1, 0, 0]))).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.getDocument(intruder, "secret")).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.deleteDocument(intruder, "secret")).rejects.toBeInstanceOf(NotFoundError);
      await expect(write(intruder, handMadeDocument("x", ["x"], [[1, 0, 0]]), generationId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.vectorSearch(bob, new Float32Array([1, 0, 0]), { generationId })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.deleteKnowledgeBase(intruder)).toBe(false);
      expect((await store.listDocuments(alice)).map((document) => document.id)).toEqual(["secret"]);
    });

    it("rejects vectors of the wrong dimension without writing anything", async () => {
      const bad = handMadeDocument("bad", ["one", "two"], [[1, 0, 0], [1, 0]]);
      await expect(write(alice, bad, generationId)).rejects.toBeInstanceOf(InvalidRequestError);
      expect(await store.listDocuments(alice)).toEqual([]);
      expect(await store.lexicalSearch(alice, "one")).toEqual([]);
    });

    it("keeps serving the active generation while another is built, then switches atomically", async () => {
      await write(alice, handMadeDocument("doc", ["old model text"], [[1, 0, 0]]), generationId);
      const next = await store.createGeneration(alice, { embeddingModelId: "test/4d", dimensions: 4, chunkSize: 32, chunkOverlap: 4 });
      expect(next.status).toBe("building");
      const rebuilt = handMadeDocument("doc", ["new model text"], [[0, 0, 0, 1]]);
      await store.writeGenerationChunks(alice, next.id, "doc", rebuilt.chunks);
      expect(await store.listIndexedDocumentIds(alice, next.id)).toEqual(["doc"]);
      expect((await store.vectorSearch(alice, new Float32Array([1, 0, 0]))).map((hit) => hit.text)).toEqual(["old model text"]);
      expect((await store.lexicalSearch(alice, "model")).map((hit) => hit.text)).toEqual(["old model text"]);
      await store.activateGeneration(alice, next.id);
      expect((await store.getKnowledgeBase(alice))!.activeGenerationId).toBe(next.id);
      expect((await store.vectorSearch(alice, new Float32Array([0, 0, 0, 1]))).map((hit) => hit.text)).toEqual(["new model text"]);
      expect((await store.lexicalSearch(alice, "model")).map((hit) => hit.text)).toEqual(["new model text"]);
      await expect(store.vectorSearch(alice, new Float32Array([1, 0, 0]), { generationId })).rejects.toBeInstanceOf(NotFoundError);
      const statuses = (await store.listGenerations(alice)).map((generation) => [generation.id, generation.status]);
      expect(statuses).toEqual([[generationId, "retired"], [next.id, "active"]]);
      await expect(store.dropGeneration(alice, next.id)).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it("caches embeddings by model and content hash", async () => {
      await store.putCachedEmbeddings("m1", [{ contentHash: "h1", vector: new Float32Array([0.5, 0.25]) }]);
      const cached = await store.getCachedEmbeddings("m1", ["h1", "h2"]);
      expect([...cached.keys()]).toEqual(["h1"]);
      expect([...cached.get("h1")!]).toEqual([0.5, 0.25]);
      expect((await store.getCachedEmbeddings("m2", ["h1"])).size).toBe(0);
    });

    it("deletes a whole knowledge base", async () => {
      await write(alice, handMadeDocument("doc", ["text"], [[1, 0, 0]]), generationId);
      expect(await store.deleteKnowledgeBase(alice)).toBe(true);
      expect(await store.getKnowledgeBase(alice)).toBeUndefined();
      expect((await store.listKnowledgeBases("bob")).length).toBe(1);
    });

    it("finds knowledge bases of every owner by id or name and keeps grants per knowledge base", async () => {
      expect((await store.findKnowledgeBases({ name: "handbook" })).map((record) => record.ownerId).sort()).toEqual(["alice", "bob"]);
      expect((await store.findKnowledgeBases({ id: bob.knowledgeBaseId })).map((record) => record.ownerId)).toEqual(["bob"]);
      expect((await store.listAllKnowledgeBases()).length).toBe(2);
      await store.grantAccess(alice, "carol");
      await store.grantAccess(alice, "carol");
      expect(await store.listGrants(alice)).toEqual(["carol"]);
      expect(await store.listGrants(bob)).toEqual([]);
      expect((await store.listGrantedKnowledgeBases("carol")).map((record) => record.id)).toEqual([alice.knowledgeBaseId]);
      expect(await store.revokeAccess(alice, "carol")).toBe(true);
      expect(await store.revokeAccess(alice, "carol")).toBe(false);
      await expect(store.grantAccess({ knowledgeBaseId: alice.knowledgeBaseId, ownerId: "bob" }, "carol")).rejects.toBeInstanceOf(NotFoundError);
      await store.grantAccess(alice, "dave");
      await store.deleteKnowledgeBase(alice);
      expect(await store.listGrantedKnowledgeBases("dave")).toEqual([]);
    });
  });
}
