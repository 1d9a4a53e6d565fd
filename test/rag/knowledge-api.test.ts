import { PDFDocument, StandardFonts } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { callApi, waitForJob } from "./support/knowledge-server.js";

let server: TestServer;
let alice: { id: string; key: string };
let bob: { id: string; key: string };

const handbook = [
  { name: "vacation.md", text: "# Vacation\n\nNew staff get 25 vacation days per year. Unused days carry over until March.\n\n## Sick leave\n\nSick leave needs a doctor's note after three days." },
  { name: "expenses.txt", text: "Travel expenses are reimbursed within 30 days. Keep every receipt for the accounting team." },
];

async function pdfWithPages(pages: string[]): Promise<Uint8Array<ArrayBuffer>> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (const text of pages) document.addPage([400, 300]).drawText(text, { x: 20, y: 250, size: 12, font });
  return new Uint8Array(await document.save());
}

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("tiny-bert-random.gguf", "bert");
  await server.addModel("stories260K.gguf", "stories");
  alice = await server.createKey({ name: "alice" });
  bob = await server.createKey({ name: "bob" });
  const created = await callApi(server, alice.key, "POST", "/v1/knowledge-bases", { name: "handbook", embedding_model: "bert" });
  expect(created.status).toBe(201);
  const upload = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/documents", { documents: handbook });
  expect(upload.status).toBe(202);
  expect((await waitForJob(server, alice.key, "handbook", upload.body.id)).status).toBe("completed");
}, 120_000);
afterAll(async () => server?.close());

describe("knowledge bases over HTTP", () => {
  it("creates, lists and shows a knowledge base with its embedding model, and rejects bad input with 400", async () => {
    const shown = await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook");
    expect(shown.body).toMatchObject({ object: "knowledge_base", name: "handbook", embedding_model: "bert", dimensions: 32, document_count: 2, owner: alice.id });
    expect(shown.body.chunk_count).toBeGreaterThanOrEqual(2);
    const listed = await callApi(server, alice.key, "GET", "/v1/knowledge-bases");
    expect(listed.body.data.map((entry: { name: string }) => entry.name)).toEqual(["handbook"]);
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases", { name: "bad name!", embedding_model: "bert" })).status).toBe(400);
    const unknownModel = await callApi(server, alice.key, "POST", "/v1/knowledge-bases", { name: "other", embedding_model: "nope" });
    expect(unknownModel.status).toBe(404);
    const chatModel = await callApi(server, alice.key, "POST", "/v1/knowledge-bases", { name: "other", embedding_model: "stories" });
    expect(chatModel.status).toBe(400);
    const duplicate = await callApi(server, alice.key, "POST", "/v1/knowledge-bases", { name: "handbook", embedding_model: "bert" });
    expect(duplicate.status).toBe(400);
    expect((await callApi(server, alice.key, "GET", "/v1/knowledge-bases/missing")).status).toBe(404);
  });

  it("queries lexically, by vector and hybrid, with citations-ready metadata", async () => {
    const lexical = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "How many vacation days do new staff get?", top_k: 3, mode: "lexical" });
    expect(lexical.status).toBe(200);
    expect(lexical.body.data[0]).toMatchObject({ document: "vacation.md", heading: "Vacation", title: "Vacation" });
    expect(lexical.body.data[0].text).toContain("25 vacation days");
    for (const mode of ["vector", "hybrid"]) {
      const result = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "receipts", top_k: 2, mode });
      expect(result.status).toBe(200);
      expect(result.body.data.length).toBeGreaterThan(0);
      expect(result.body.data.every((hit: { vector_similarity: number | null }) => typeof hit.vector_similarity === "number")).toBe(true);
    }
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "" })).status).toBe(400);
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "x", mode: "fuzzy" })).status).toBe(400);
  });

  it("uploads multipart files: a PDF per page, a corrupt file fails alone and leaves the knowledge base intact", async () => {
    const before = (await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook")).body;
    const form = new FormData();
    form.append("file", new Blob([await pdfWithPages(["Parking permits are issued by facilities.", "Bicycles park in the basement."])], { type: "application/pdf" }), "parking.pdf");
    form.append("file", new Blob([new TextEncoder().encode("%PDF-1.7 this is not really a pdf")], { type: "application/pdf" }), "broken.pdf");
    form.append("metadata", JSON.stringify({ department: "facilities" }));
    const upload = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/documents", form);
    expect(upload.status).toBe(202);
    const job = await waitForJob(server, alice.key, "handbook", upload.body.id);
    expect(job.status).toBe("completed");
    expect(job.result).toMatchObject({ added: 1, failed: 1 });
    const broken = await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook/documents/broken.pdf");
    expect(broken.body).toMatchObject({ status: "failed", job_id: job.id });
    expect(broken.body.error).toMatch(/pdf/i);
    const parking = await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook/documents/parking.pdf");
    expect(parking.body).toMatchObject({ status: "ready", format: "pdf", metadata: { department: "facilities" } });
    const hit = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", {
      query: "bicycles basement", mode: "lexical", top_k: 1, filter: { metadata: { department: "facilities" } },
    });
    expect(hit.body.data[0]).toMatchObject({ document: "parking.pdf", page: 2 });
    const after = (await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook")).body;
    expect(after.document_count).toBe(before.document_count + 1);
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/documents", new FormData())).status).toBe(400);
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/documents", { documents: [{ name: "x" }] })).status).toBe(400);
  });

  it("replaces a document by name and deletes it with all its chunks", async () => {
    const add = async (text: string) => {
      const upload = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/documents", { documents: [{ name: "canteen.txt", text }] });
      return waitForJob(server, alice.key, "handbook", upload.body.id);
    };
    expect((await add("The canteen serves lasagne on Mondays.")).result.added).toBe(1);
    expect((await add("The canteen serves lasagne on Mondays.")).result.unchanged).toBe(1);
    expect((await add("The canteen serves risotto on Fridays.")).result.replaced).toBe(1);
    const query = (text: string) => callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query: text, mode: "lexical" });
    expect((await query("lasagne")).body.data).toEqual([]);
    expect((await query("risotto")).body.data[0].document).toBe("canteen.txt");
    const chunksBefore = (await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook")).body.chunk_count;
    expect((await callApi(server, alice.key, "DELETE", "/v1/knowledge-bases/handbook/documents/canteen.txt")).status).toBe(200);
    expect((await query("risotto")).body.data).toEqual([]);
    expect((await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook")).body.chunk_count).toBe(chunksBefore - 1);
    expect((await callApi(server, alice.key, "DELETE", "/v1/knowledge-bases/handbook/documents/canteen.txt")).status).toBe(404);
  });

  it("bills the embedding tokens of ingestion and queries to the calling key", async () => {
    const usage = await server.admin.get<{ data?: Array<Record<string, unknown>> } | Array<Record<string, unknown>>>("/admin/usage", { query: { by: "key,endpoint" } });
    const rows = (Array.isArray(usage) ? usage : (usage.data ?? [])) as Array<{ keyId?: string; key_id?: string; endpoint?: string; inputTokens?: number; input_tokens?: number }>;
    const aliceEmbeddings = rows.find((row) => (row.keyId ?? row.key_id) === alice.id && row.endpoint === "embeddings");
    expect(aliceEmbeddings).toBeDefined();
    expect(aliceEmbeddings!.inputTokens ?? aliceEmbeddings!.input_tokens).toBeGreaterThan(0);
  });
});

describe("embedding-model switch over HTTP", () => {
  it("re-embeds in the background while the old index serves, then switches atomically", async () => {
    await server.addModel("tiny-bert-random.gguf", "bert-next");
    const before = (await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook")).body;
    const started = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/reindex", { embedding_model: "bert-next" });
    expect(started.status).toBe(202);
    const during = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "vacation days", mode: "hybrid" });
    expect(during.status).toBe(200);
    expect(during.body.data[0].document).toBe("vacation.md");
    const job = await waitForJob(server, alice.key, "handbook", started.body.id);
    expect(job).toMatchObject({ status: "completed", kind: "knowledge.reindex" });
    const after = (await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook")).body;
    expect(after).toMatchObject({ embedding_model: "bert-next", chunk_count: before.chunk_count, document_count: before.document_count, reindexing: null });
    const query = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "vacation days", mode: "vector", top_k: 50 });
    expect(query.body.data).toHaveLength(before.chunk_count);
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/reindex", { embedding_model: "stories" })).status).toBe(400);
  });
});

describe("access control", () => {
  it("answers 403 to a key without a grant, lets a granted key in, and never mixes owners' chunks", async () => {
    expect((await callApi(server, bob.key, "GET", "/v1/knowledge-bases/handbook")).status).toBe(403);
    expect((await callApi(server, bob.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "vacation" })).status).toBe(403);
    expect((await callApi(server, bob.key, "POST", "/v1/knowledge-bases/handbook/documents", { documents: [{ name: "x.txt", text: "x" }] })).status).toBe(403);
    expect((await callApi(server, bob.key, "GET", "/v1/knowledge-bases")).body.data).toEqual([]);
    const chat = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${bob.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "stories", messages: [{ role: "user", content: "vacation?" }], knowledge_bases: ["handbook"] }),
    });
    expect(chat.status).toBe(403);

    // Bob's own knowledge base of the same name: his queries see only his chunks.
    expect((await callApi(server, bob.key, "POST", "/v1/knowledge-bases", { name: "handbook", embedding_model: "bert" })).status).toBe(201);
    const upload = await callApi(server, bob.key, "POST", "/v1/knowledge-bases/handbook/documents", { documents: [{ name: "bob.txt", text: "Bob's vacation policy is secret." }] });
    await waitForJob(server, bob.key, "handbook", upload.body.id);
    const bobs = await callApi(server, bob.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "vacation days", mode: "hybrid", top_k: 10 });
    expect(bobs.body.data.map((hit: { document: string }) => hit.document)).toEqual(["bob.txt"]);

    // Only the owner (or an admin) may grant; then Bob may use Alice's knowledge base by id.
    const aliceBase = (await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook")).body;
    expect((await callApi(server, bob.key, "POST", `/v1/knowledge-bases/${aliceBase.id}/grants`, { key: bob.id })).status).toBe(403);
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/grants", { key: bob.id })).status).toBe(201);
    const granted = await callApi(server, bob.key, "POST", `/v1/knowledge-bases/${aliceBase.id}/query`, { query: "vacation days", mode: "lexical" });
    expect(granted.status).toBe(200);
    expect(granted.body.data.every((hit: { document: string }) => hit.document !== "bob.txt")).toBe(true);
    expect((await callApi(server, bob.key, "DELETE", `/v1/knowledge-bases/${aliceBase.id}`)).status).toBe(403);
    expect((await callApi(server, alice.key, "DELETE", `/v1/knowledge-bases/handbook/grants/${bob.id}`)).status).toBe(200);
    expect((await callApi(server, bob.key, "POST", `/v1/knowledge-bases/${aliceBase.id}/query`, { query: "vacation" })).status).toBe(403);
  });
});

describe("grounded chat through the openai SDK", () => {
  it("answers with numbered passages and returns citations (non-streaming and streaming)", async () => {
    const client = server.client(alice.key);
    const request = {
      model: "stories", max_tokens: 8, temperature: 0,
      messages: [{ role: "user" as const, content: "How many vacation days do new staff get?" }],
      knowledge_bases: ["handbook"], knowledge_options: { mode: "lexical", top_k: 2 },
    };
    const completion = (await client.chat.completions.create(request as never)) as unknown as { choices: Array<{ message: { content: string } }>; citations: any[]; usage: { prompt_tokens: number } };
    expect(completion.citations.length).toBeGreaterThan(0);
    expect(completion.citations[0]).toMatchObject({ marker: 1, document: "vacation.md", heading: "Vacation", knowledge_base: "handbook" });
    expect(completion.citations[0].snippet).toContain("25 vacation days");
    expect(typeof completion.citations[0].score).toBe("number");
    expect(completion.usage.prompt_tokens).toBeGreaterThan(40); // the passages were given to the model
    const stream = await client.chat.completions.create({ ...request, stream: true } as never);
    const chunks: any[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<unknown>) chunks.push(chunk);
    expect(chunks[0].citations.map((citation: { document: string }) => citation.document)).toEqual(completion.citations.map((citation) => citation.document));
    expect(chunks.slice(1).every((chunk) => chunk.citations === undefined)).toBe(true);
  });

  it("says so instead of inventing an answer when nothing relevant is found (threshold configurable)", async () => {
    const client = server.client(alice.key);
    const request = {
      model: "stories", max_tokens: 8, messages: [{ role: "user" as const, content: "zebra quantum chromodynamics" }], knowledge_bases: ["handbook"],
      knowledge_options: { mode: "hybrid", threshold: { min_lexical_score: 1, min_vector_similarity: 0.9999 } },
    };
    const completion = (await client.chat.completions.create(request as never)) as unknown as { choices: Array<{ message: { content: string } }>; citations: unknown[] };
    expect(completion.citations).toEqual([]);
    expect(completion.choices[0]!.message.content).toMatch(/could not find anything relevant/);
    const stream = await client.chat.completions.create({ ...request, stream: true } as never);
    let text = "";
    for await (const chunk of stream as unknown as AsyncIterable<{ choices: Array<{ delta: { content?: string } }> }>) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toMatch(/could not find anything relevant/);
  });

  it("rejects unknown knowledge bases with 404 and requests without knowledge_bases are unchanged", async () => {
    const client = server.client(alice.key);
    await expect(client.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "hi" }], knowledge_bases: ["nope"] } as never)).rejects.toMatchObject({ status: 404 });
    const plain = await client.chat.completions.create({ model: "stories", max_tokens: 4, messages: [{ role: "user", content: "Once upon a time" }] });
    expect((plain as unknown as { citations?: unknown }).citations).toBeUndefined();
  });
});

describe("POST /v1/rerank", () => {
  it("scores documents against a query and returns them sorted, Cohere/Jina style", async () => {
    const response = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "bert", query: "vacation days", documents: ["vacation days", "parking", { text: "receipts" }], top_n: 2 });
    expect(response.status).toBe(200);
    expect(response.body.model).toBe("bert");
    expect(response.body.results).toHaveLength(2);
    const [first, second] = response.body.results;
    expect(first.relevance_score).toBeGreaterThanOrEqual(second.relevance_score);
    expect(first.document.text).toBe(["vacation days", "parking", "receipts"][first.index]);
    const identical = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "bert", query: "parking permits", documents: ["parking permits", "zz"] });
    expect(identical.body.results[0]).toMatchObject({ index: 0 });
    expect(identical.body.results[0].relevance_score).toBeCloseTo(1, 5);
    expect((await callApi(server, alice.key, "POST", "/v1/rerank", { model: "bert", query: "q", documents: [] })).status).toBe(400);
    expect((await callApi(server, alice.key, "POST", "/v1/rerank", { model: "nope", query: "q", documents: ["a"] })).status).toBe(404);
  });
});

describe("document identity and removal", () => {
  const documents = (kb: string) => `/v1/knowledge-bases/${kb}/documents`;

  it("keeps same-named files of different folders apart and reports collisions instead of dropping one", async () => {
    const form = new FormData();
    form.append("file", new Blob(["Team A meets on Mondays in the aquarium room."], { type: "text/markdown" }), "teamA/notes.md");
    form.append("file", new Blob(["Team B meets on Fridays in the garden room."], { type: "text/markdown" }), "teamB/notes.md");
    const upload = await callApi(server, alice.key, "POST", documents("handbook"), form);
    expect(upload.status).toBe(202);
    expect((await waitForJob(server, alice.key, "handbook", upload.body.id)).result).toMatchObject({ added: 2, failed: 0 });
    expect((await callApi(server, alice.key, "GET", `${documents("handbook")}/teamA/notes.md`)).body).toMatchObject({ id: "teamA/notes.md", status: "ready" });
    const hit = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "aquarium room", mode: "lexical", top_k: 1 });
    expect(hit.body.data[0]).toMatchObject({ document_id: "teamA/notes.md", document: "teamA/notes.md" });

    // Two files with one name in one upload: a 400 naming the collision, nothing ingested.
    const clash = new FormData();
    clash.append("file", new Blob(["one"]), "notes.md");
    clash.append("file", new Blob(["two"]), "notes.md");
    const refused = await callApi(server, alice.key, "POST", documents("handbook"), clash);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: "document_id_collision", param: "documents" });
    expect(refused.body.error.message).toContain("notes.md");
    const json = await callApi(server, alice.key, "POST", documents("handbook"), { documents: [{ name: "a.txt", text: "x" }, { name: "a.txt", text: "y" }] });
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe("document_id_collision");

    // Caller-given ids: same names, distinct documents.
    const withIds = await callApi(server, alice.key, "POST", documents("handbook"), {
      documents: [{ name: "minutes.txt", id: "teamC/minutes.txt", text: "Team C plans the harbour trip." }, { name: "minutes.txt", id: "teamD/minutes.txt", text: "Team D plans the mountain trip." }],
    });
    expect((await waitForJob(server, alice.key, "handbook", withIds.body.id)).result).toMatchObject({ added: 2 });
    expect((await callApi(server, alice.key, "GET", `${documents("handbook")}/teamD/minutes.txt`)).body).toMatchObject({ id: "teamD/minutes.txt", name: "minutes.txt", status: "ready" });
    const multipartIds = new FormData();
    multipartIds.append("file", new Blob(["Team E is new."]), "notes.md");
    multipartIds.append("id", "teamE/notes.md");
    const uploadedWithId = await callApi(server, alice.key, "POST", documents("handbook"), multipartIds);
    expect((await waitForJob(server, alice.key, "handbook", uploadedWithId.body.id)).result).toMatchObject({ added: 1 });
    expect((await callApi(server, alice.key, "GET", `${documents("handbook")}/teamE/notes.md`)).body.status).toBe("ready");
    const tooManyIds = new FormData();
    tooManyIds.append("file", new Blob(["x"]), "x.md");
    tooManyIds.append("id", "a");
    tooManyIds.append("id", "b");
    const badIds = await callApi(server, alice.key, "POST", documents("handbook"), tooManyIds);
    expect(badIds.status).toBe(400);
    expect(badIds.body.error.param).toBe("id");
  });

  it("deletes a failed document (status failed → 404 afterwards)", async () => {
    const upload = await callApi(server, alice.key, "POST", documents("handbook"), { documents: [{ name: "corrupt.pdf", text: "%PDF-1.7 this is not really a pdf" }] });
    expect((await waitForJob(server, alice.key, "handbook", upload.body.id)).result).toMatchObject({ failed: 1 });
    expect((await callApi(server, alice.key, "GET", `${documents("handbook")}/corrupt.pdf`)).body.status).toBe("failed");
    const deleted = await callApi(server, alice.key, "DELETE", `${documents("handbook")}/corrupt.pdf`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: "corrupt.pdf", deleted: true });
    expect((await callApi(server, alice.key, "GET", `${documents("handbook")}/corrupt.pdf`)).status).toBe(404);
    const listed = (await callApi(server, alice.key, "GET", documents("handbook"))).body.data.map((document: { id: string }) => document.id);
    expect(listed).not.toContain("corrupt.pdf");
    expect((await callApi(server, alice.key, "DELETE", `${documents("handbook")}/corrupt.pdf`)).status).toBe(404);
  });

  it("deletes a document right after its upload, whatever its job's state, and still ingests the others", async () => {
    const prose = (word: string) => Array.from({ length: 200 }, (_, index) => `The ${word} item ${index} is stored on shelf ${index % 17}.`).join(" ");
    const upload = await callApi(server, alice.key, "POST", documents("handbook"), {
      documents: ["alpha", "bravo", "charlie"].map((word) => ({ name: `${word}.txt`, text: `${prose(word)} ${word}zzz` })),
    });
    expect(upload.status).toBe(202);
    const deleted = await callApi(server, alice.key, "DELETE", `${documents("handbook")}/bravo.txt`);
    expect(deleted.status).toBe(200);
    for (let attempt = 0; attempt < 600; attempt++) {
      const jobs = (await callApi(server, alice.key, "GET", "/v1/knowledge-bases/handbook/jobs")).body.data as Array<{ status: string }>;
      if (jobs.every((job) => !["queued", "running"].includes(job.status))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await callApi(server, alice.key, "GET", `${documents("handbook")}/bravo.txt`)).status).toBe(404);
    for (const word of ["alpha", "charlie"]) expect((await callApi(server, alice.key, "GET", `${documents("handbook")}/${word}.txt`)).body.status).toBe("ready");
    const query = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query: "bravozzz", mode: "lexical" });
    expect(query.body.data).toEqual([]);
  });
});

describe("knowledge-base grants and model allow-lists", () => {
  it("lets a key granted a knowledge base use its embedding model there, also after a re-index, but not directly", async () => {
    const carol = await server.createKey({ name: "carol", models: ["stories"] });
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases", { name: "shared", embedding_model: "bert" })).status).toBe(201);
    const seeded = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/shared/documents", { documents: [{ name: "lunch.txt", text: "Lunch is served at noon in the canteen." }] });
    await waitForJob(server, alice.key, "shared", seeded.body.id);
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/shared/grants", { key: carol.id })).status).toBe(201);

    const query = () => callApi(server, carol.key, "POST", "/v1/knowledge-bases/shared/query", { query: "when is lunch", mode: "hybrid" });
    const first = await query();
    expect(first.status).toBe(200);
    expect(first.body.data[0].document).toBe("lunch.txt");
    const upload = await callApi(server, carol.key, "POST", "/v1/knowledge-bases/shared/documents", { documents: [{ name: "dinner.txt", text: "Dinner is not served." }] });
    expect(upload.status).toBe(202);
    expect((await waitForJob(server, carol.key, "shared", upload.body.id)).result).toMatchObject({ added: 1, failed: 0 });
    const chat = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${carol.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "stories", max_tokens: 4, messages: [{ role: "user", content: "When is lunch?" }], knowledge_bases: ["shared"], knowledge_options: { mode: "hybrid" } }),
    });
    expect(chat.status).toBe(200);

    // The allow-list still governs direct calls.
    const direct = await fetch(`${server.url}/v1/embeddings`, {
      method: "POST", headers: { authorization: `Bearer ${carol.key}`, "content-type": "application/json" }, body: JSON.stringify({ model: "bert", input: "lunch" }),
    });
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as { error: { code: string } }).error.code).toBe("model_not_allowed");

    // The owner switches the embedding model: the granted key keeps working.
    await server.addModel("tiny-bert-random.gguf", "bert-shared");
    const reindex = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/shared/reindex", { embedding_model: "bert-shared" });
    expect((await waitForJob(server, alice.key, "shared", reindex.body.id)).status).toBe("completed");
    const after = await query();
    expect(after.status).toBe(200);
    expect(after.body.data.length).toBeGreaterThan(0);
  });
});

describe("removing a model that knowledge bases use", () => {
  it("answers 409 model_in_use naming them unless forced; then the knowledge base shows unusable and queries say why", async () => {
    await server.addModel("tiny-bert-random.gguf", "bert-doomed");
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases", { name: "doomed", embedding_model: "bert-doomed" })).status).toBe(201);
    const seeded = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/doomed/documents", { documents: [{ name: "keys.txt", text: "Spare keys hang in the porter's lodge." }] });
    await waitForJob(server, alice.key, "doomed", seeded.body.id);

    const refused = await callApi(server, server.adminKey, "DELETE", "/v1/admin/models/bert-doomed");
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "model_in_use", param: "model" });
    expect(refused.body.error.message).toContain("doomed");
    expect((await callApi(server, server.adminKey, "GET", "/v1/admin/models/bert-doomed")).status).toBe(200);
    expect((await callApi(server, server.adminKey, "DELETE", "/v1/admin/models/bert-doomed?force=maybe")).status).toBe(400);

    const forced = await callApi(server, server.adminKey, "DELETE", "/v1/admin/models/bert-doomed?force=true");
    expect(forced.status).toBe(200);
    const shown = (await callApi(server, alice.key, "GET", "/v1/knowledge-bases/doomed")).body;
    expect(shown).toMatchObject({ status: "unusable", embedding_model: "bert-doomed" });
    expect(shown.unusable_reason).toContain("bert-doomed");
    const listed = (await callApi(server, alice.key, "GET", "/v1/knowledge-bases")).body.data as Array<{ name: string; status: string }>;
    expect(listed.find((entry) => entry.name === "doomed")?.status).toBe("unusable");
    expect(listed.find((entry) => entry.name === "handbook")?.status).toBe("ready");

    const query = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/doomed/query", { query: "spare keys", mode: "hybrid" });
    expect(query.status).toBe(409);
    expect(query.body.error.code).toBe("knowledge_base_unusable");
    expect(query.body.error.message).toContain("bert-doomed");
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/doomed/query", { query: "spare keys", mode: "lexical" })).body.data[0].document).toBe("keys.txt");
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/doomed/documents", { documents: [{ name: "x.txt", text: "x" }] })).status).toBe(409);

    // Re-indexing with a registered model makes it usable again.
    const reindex = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/doomed/reindex", { embedding_model: "bert" });
    expect((await waitForJob(server, alice.key, "doomed", reindex.body.id)).status).toBe("completed");
    expect((await callApi(server, alice.key, "GET", "/v1/knowledge-bases/doomed")).body.status).toBe("ready");
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases/doomed/query", { query: "spare keys", mode: "hybrid" })).status).toBe(200);
  });
});
