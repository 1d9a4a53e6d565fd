import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { callApi, waitForJob } from "../rag/support/knowledge-server.js";

/** What the console's playground needs from the API: model kinds and prices, and cited passages. */
let server: TestServer;
let user: { id: string; key: string };

const policy =
  "# Parking\n\nEvery employee may park in the north garage. Parking permits are issued by the facilities desk on the ground floor, " +
  "which opens at eight in the morning and closes at five in the afternoon. Lost permits cost twenty dollars to replace, " +
  "and a replacement takes two working days. Visitors park in the south lot and register at reception.\n\n## Bicycles\n\nBicycles go in the basement racks.";

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  await server.addModel("tiny-bert-random.gguf", "bert");
  user = await server.createKey({ name: "playground-user", models: ["stories", "bert"] });
  expect((await callApi(server, user.key, "POST", "/v1/knowledge-bases", { name: "rules", embedding_model: "bert" })).status).toBe(201);
  const upload = await callApi(server, user.key, "POST", "/v1/knowledge-bases/rules/documents", { documents: [{ name: "parking.md", text: policy }] });
  expect(upload.status).toBe(202);
  expect((await waitForJob(server, user.key, "rules", upload.body.id)).status).toBe("completed");
}, 120_000);
afterAll(async () => server?.close());

type WireModel = {
  id: string;
  object: string;
  owned_by: string;
  kind: string;
  modalities: { input: string[]; output: string[] } | null;
  pricing: { input_per_million: number; output_per_million: number } | null;
};

describe("GET /v1/models for the playground", () => {
  it("says which models chat and which embed, and carries the price book's prices (null when unpriced)", async () => {
    const listed = await callApi<{ data: WireModel[] }>(server, server.adminKey, "GET", "/v1/models");
    expect(listed.status).toBe(200);
    const byId = new Map(listed.body.data.map((model) => [model.id, model]));
    expect(byId.get("stories")).toEqual({
      id: "stories", object: "model", created: expect.any(Number), owned_by: "aiplus", kind: "chat", modalities: { input: ["text"], output: ["text"] }, pricing: null,
    });
    expect(byId.get("bert")).toMatchObject({ kind: "embedding", pricing: null });

    expect((await callApi(server, server.adminKey, "PUT", "/v1/admin/prices/STORIES", { input_per_million: 1.5, output_per_million: 4 })).status).toBe(200);
    const priced = await callApi<{ data: WireModel[] }>(server, user.key, "GET", "/v1/models");
    expect(priced.body.data.find((model) => model.id === "stories")?.pricing).toEqual({ input_per_million: 1.5, output_per_million: 4 });
    const single = await callApi<WireModel>(server, user.key, "GET", "/v1/models/Stories");
    expect(single.body).toMatchObject({ id: "stories", kind: "chat", pricing: { input_per_million: 1.5, output_per_million: 4 } });
    expect((await callApi<WireModel>(server, user.key, "GET", "/v1/models/bert")).body).toMatchObject({ kind: "embedding", pricing: null });
    expect((await callApi(server, server.adminKey, "DELETE", "/v1/admin/prices/stories")).status).toBe(200);
    expect((await callApi<WireModel>(server, user.key, "GET", "/v1/models/stories")).body.pricing).toBeNull();
  });

  it("lists only the models a key may use", async () => {
    const narrow = await server.createKey({ name: "stories-only", models: ["stories"] });
    const listed = await callApi<{ data: WireModel[] }>(server, narrow.key, "GET", "/v1/models");
    expect(listed.body.data.map((model) => model.id)).toEqual(["stories"]);
    expect((await callApi(server, narrow.key, "GET", "/v1/models/bert")).status).toBe(404);
  });
});

describe("GET /v1/knowledge-bases/{kb}/documents/{document} with a cited passage", () => {
  it("returns the full passage a citation's start and end point at", async () => {
    const answer = await callApi<{ citations: Array<{ marker: number; knowledge_base: string; document_id: string; document: string; heading: string | null; snippet: string; start: number; end: number }> }>(
      server,
      user.key,
      "POST",
      "/v1/chat/completions",
      { model: "stories", messages: [{ role: "user", content: "Where do employees park and who issues parking permits?" }], max_tokens: 8, knowledge_bases: ["rules"], knowledge_options: { mode: "lexical" } },
    );
    expect(answer.status).toBe(200);
    const citation = answer.body.citations[0]!;
    expect(citation).toMatchObject({ marker: 1, knowledge_base: "rules", document: "parking.md" });
    const shown = await callApi<{ id: string; name: string; status: string; passage: { start: number; end: number; text: string } }>(
      server,
      user.key,
      "GET",
      `/v1/knowledge-bases/${citation.knowledge_base}/documents/${encodeURIComponent(citation.document_id)}?passage_start=${citation.start}&passage_end=${citation.end}`,
    );
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: citation.document_id, name: "parking.md", status: "ready" });
    expect(shown.body.passage.start).toBe(citation.start);
    expect(shown.body.passage.end).toBe(citation.end);
    expect(shown.body.passage.text).toHaveLength(citation.end - citation.start);
    expect(policy).toContain(shown.body.passage.text);
    // The snippet is cut at 240 characters; the passage is the whole cited text.
    expect(citation.snippet.endsWith("…")).toBe(true);
    expect(shown.body.passage.text.replace(/\s+/g, " ")).toContain(citation.snippet.slice(0, -1));
    expect(shown.body.passage.text.length).toBeGreaterThan(citation.snippet.length);
  });

  it("answers the document alone without passage offsets, and refuses bad offsets with 400 naming them", async () => {
    const base = "/v1/knowledge-bases/rules/documents/parking.md";
    const plain = await callApi(server, user.key, "GET", base);
    expect(plain.status).toBe(200);
    expect(plain.body.passage).toBeUndefined();
    const characters = plain.body.character_count as number;

    const cases: Array<[string, string, string]> = [
      ["?passage_start=3", "passage_end", "passage_start and passage_end go together"],
      ["?passage_end=3", "passage_start", "passage_start and passage_end go together"],
      ["?passage_start=5&passage_end=5", "passage_end", "passage_end must be greater than passage_start"],
      ["?passage_start=-1&passage_end=5", "passage_start", "passage_start must be a non-negative integer"],
      ["?passage_start=1.5&passage_end=5", "passage_start", "passage_start must be a non-negative integer"],
      [`?passage_start=0&passage_end=${characters + 1}`, "passage_end", `passage_end must be at most ${characters}`],
      ["?page=2", "page", "Unrecognized request argument supplied: page"],
    ];
    for (const [query, param, message] of cases) {
      const refused = await callApi(server, user.key, "GET", `${base}${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body.error.param, query).toBe(param);
      expect(refused.body.error.message, query).toContain(message);
    }
    const whole = await callApi(server, user.key, "GET", `${base}?passage_start=0&passage_end=${characters}`);
    expect(whole.body.passage.text).toHaveLength(characters);
    expect((await callApi(server, user.key, "GET", "/v1/knowledge-bases/rules/documents/missing.md?passage_start=0&passage_end=4")).status).toBe(404);
    const stranger = await server.createKey({ name: "stranger" });
    expect((await callApi(server, stranger.key, "GET", `${base}?passage_start=0&passage_end=4`)).status).toBe(403);
  });

  it("finds a document whose id holds a slash, URL-encoded as the console sends it", async () => {
    const upload = await callApi(server, user.key, "POST", "/v1/knowledge-bases/rules/documents", { documents: [{ name: "team/canteen.txt", text: "The canteen serves soup at noon." }] });
    expect((await waitForJob(server, user.key, "rules", upload.body.id)).status).toBe("completed");
    const shown = await callApi(server, user.key, "GET", `/v1/knowledge-bases/rules/documents/${encodeURIComponent("team/canteen.txt")}?passage_start=4&passage_end=11`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: "team/canteen.txt", passage: { start: 4, end: 11, text: "canteen" } });
  });

  it("answers 409 document_not_ready for a document that has no text (it failed)", async () => {
    const form = new FormData();
    form.append("file", new Blob(["this is not a PDF"], { type: "application/pdf" }), "broken.pdf");
    const upload = await callApi(server, user.key, "POST", "/v1/knowledge-bases/rules/documents", form);
    expect(upload.status).toBe(202);
    await waitForJob(server, user.key, "rules", upload.body.id);
    const failed = await callApi(server, user.key, "GET", "/v1/knowledge-bases/rules/documents/broken.pdf");
    expect(failed.body.status).toBe("failed");
    const refused = await callApi(server, user.key, "GET", "/v1/knowledge-bases/rules/documents/broken.pdf?passage_start=0&passage_end=4");
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("document_not_ready");
    expect(refused.body.error.message).toContain("broken.pdf is failed");
  });
});
