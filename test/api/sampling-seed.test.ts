import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

// Without a seed every request samples from a fresh random seed ("regenerate" and arena battles must differ);
// the same explicit seed reproduces the same text.
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ sequences: 4 });
  await server.addModel("stories260K.gguf", "stories");
  // Load the model first, so the concurrent requests start together.
  await server.admin.completions.create({ model: "stories", prompt: "Once", max_tokens: 1, temperature: 0 });
});

afterAll(async () => server?.close());

async function sample(seed?: number): Promise<string> {
  const completion = await server.admin.completions.create({
    model: "stories",
    prompt: "Once upon a time",
    max_tokens: 32,
    temperature: 1,
    logit_bias: { "2": -100 }, // never end of text: every answer has 32 tokens
    ...(seed === undefined ? {} : { seed }),
  });
  return completion.choices[0]!.text;
}

describe("sampling seed", () => {
  it("four concurrent completions at temperature 1 without a seed are not all identical", async () => {
    const texts = await Promise.all([sample(), sample(), sample(), sample()]);
    expect(texts.every((text) => text.length > 0)).toBe(true);
    expect(new Set(texts).size).toBeGreaterThan(1);
  });

  it("a regenerated completion without a seed differs from the previous one", async () => {
    const first = await sample();
    const again = await sample();
    const third = await sample();
    expect(new Set([first, again, third]).size).toBeGreaterThan(1);
  });

  it("the same explicit seed gives the same text, concurrently and later", async () => {
    const texts = await Promise.all([sample(1234), sample(1234), sample(1234), sample(1234)]);
    expect(new Set(texts).size).toBe(1);
    expect(await sample(1234)).toBe(texts[0]);
  });
});
