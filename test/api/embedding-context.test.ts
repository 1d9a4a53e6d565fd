import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, waitForJob } from "../rag/support/knowledge-server.js";
import { startTestServer, type TestServer } from "../support/api-server.js";

// tiny-bert-random was trained with a context of 128 tokens; the server is configured for 512.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ contextSize: 512 });
  await server.addModel("tiny-bert-random.gguf", "bert");
}, 60_000);
afterAll(async () => server?.close());

describe("an embedding model under a configured context larger than its trained one", () => {
  it("keeps its trained context: a long input is refused with 400, never a crash, and long documents are chunked to fit", async () => {
    const long = Array.from({ length: 120 }, (_, index) => `word${index}`).join(" ");
    const refused = await callApi(server, server.adminKey, "POST", "/v1/embeddings", { model: "bert", input: long });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain("exceeds the embedding context of 127 tokens");

    expect((await callApi(server, server.adminKey, "POST", "/v1/knowledge-bases", { name: "long", embedding_model: "bert" })).status).toBe(201);
    const shown = await callApi<{ chunk_size: number }>(server, server.adminKey, "GET", "/v1/knowledge-bases/long");
    expect(shown.body.chunk_size).toBeLessThan(128);
    const text = Array.from({ length: 300 }, (_, index) => `Paragraph ${index} of the handbook talks about parking and bicycles.`).join("\n\n");
    const upload = await callApi(server, server.adminKey, "POST", "/v1/knowledge-bases/long/documents", { documents: [{ name: "long.md", text }] });
    const job = await waitForJob(server, server.adminKey, "long", upload.body.id);
    expect(job.result).toMatchObject({ added: 1, failed: 0 });
    expect(job.result.documents[0].chunkCount).toBeGreaterThan(10);
    const embedded = await callApi(server, server.adminKey, "POST", "/v1/embeddings", { model: "bert", input: "parking" });
    expect(embedded.status).toBe(200);
  });
});
