import { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";

// The engine's own queue-full is back-pressure: a 503 with retry-after, never a reason to open the circuit breaker.
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ sequences: 1, maxQueue: 1 });
  await server.addModel("stories260K.gguf", "stories");
  // Load the model first, so the burst meets a running engine.
  await server.admin.completions.create({ model: "stories", prompt: "Once", max_tokens: 1, temperature: 0 });
});

afterAll(async () => server?.close());

function longCompletion() {
  // 96 tokens with end-of-text banned: the one sequence stays busy while the burst arrives.
  return server.admin.completions.create({ model: "stories", prompt: "Once upon a time", max_tokens: 96, temperature: 0, logit_bias: { "2": -100 } });
}

describe("local back-pressure (sequences 1, queue 1)", () => {
  it("answers a burst with 200s and 503 engine_overloaded (each with retry-after), and the model stays usable", async () => {
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => longCompletion().then(() => "ok" as const, (error: unknown) => error)));
    const served = outcomes.filter((outcome) => outcome === "ok");
    const refused = outcomes.filter((outcome): outcome is APIError => outcome instanceof APIError);
    expect(served.length + refused.length).toBe(12);
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const error of refused) {
      expect(error.status).toBe(503);
      expect(error.code).toBe("engine_overloaded");
      expect(Number(error.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }

    // The engine is idle again: the very next requests are served, with no circuit_open pause.
    for (let index = 0; index < 3; index++) {
      const completion = await server.admin.completions.create({ model: "stories", prompt: "Once upon a time", max_tokens: 8, temperature: 0 });
      expect(completion.choices[0]!.text.length).toBeGreaterThan(0);
    }
  });

  it("a second burst after the first is refused only as back-pressure, never as circuit_open", async () => {
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => longCompletion().then(() => "ok" as const, (error: unknown) => error)));
    const codes = outcomes.map((outcome) => (outcome instanceof APIError ? outcome.code : outcome));
    expect(codes).toContain("ok");
    expect(codes.every((code) => code === "ok" || code === "engine_overloaded")).toBe(true);
    const completion = await server.admin.completions.create({ model: "stories", prompt: "Once upon a time", max_tokens: 8, temperature: 0 });
    expect(completion.choices[0]!.text.length).toBeGreaterThan(0);
  });
});
