import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { testModelPath } from "../support/test-models.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
});
afterAll(async () => server?.close());

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const result = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(result).toBeInstanceOf(OpenAI.APIError);
  return result as InstanceType<typeof OpenAI.APIError>;
}

describe("POST /v1/admin/models refuses files that are not loadable models", () => {
  it("400 invalid_model_file for a vision projector, naming its architecture; it is never listed or drawn", async () => {
    const error = await rejection(server.admin.post("/admin/models", { body: { path: await testModelPath("tiny-mmproj-random.gguf"), name: "projector" } }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ code: "invalid_model_file", param: "path", type: "invalid_request_error" });
    expect(error.message).toMatch(/multimodal projector \(architecture "clip"\).*--mmproj/);
    expect((await server.admin.models.list()).data.map((model) => model.id)).toEqual(["stories"]);
    expect(await rejection(server.admin.chat.completions.create({ model: "projector", messages: [{ role: "user", content: "Hi" }] }))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("400 truncated_gguf with a clear message for a file cut inside its header", async () => {
    const cut = path.join(server.home, "cut.gguf");
    fs.writeFileSync(cut, fs.readFileSync(await testModelPath("stories260K.gguf")).subarray(0, 100));
    const error = await rejection(server.admin.post("/admin/models", { body: { path: cut } }));
    expect(error).toMatchObject({ status: 400, code: "truncated_gguf", param: "path" });
    expect(error.message).toBe(`400 ${cut} is a truncated GGUF: its header declares 48 tensors and 19 metadata entries but the file ends at byte 100, inside the metadata`);
  });
});
