import { getLlama, LlamaLogLevel, type Token } from "node-llama-cpp";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { testModelPath } from "../support/test-models.js";

/** log P(text) summed over every token after the first (the API reports the first one as null, like OpenAI), computed in-process with node-llama-cpp (no sampler settings). */
async function inProcessPromptLogprob(text: string): Promise<number> {
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: await testModelPath("stories260K.gguf") });
  const context = await model.createContext({ contextSize: 256, threads: 1 });
  const sequence = context.getSequence();
  const input = [model.tokens.bos!, ...model.tokenize(text)] as Token[];
  const results = await sequence.controlledEvaluate(
    input.map((token, index) => (index < input.length - 1 ? [token, { generateNext: { probabilities: true } }] : token)),
  );
  let sum = 0;
  for (let index = 1; index < input.length - 1; index++) sum += Math.log(results[index]!.next.probabilities!.get(input[index + 1]!)!);
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return sum;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  await server.addModel("tiny-bert-random.gguf", "bert");
});
afterAll(async () => server?.close());

describe("legacy completions", () => {
  it("greedy stories260K continues the story deterministically", async () => {
    const completion = await server.admin.completions.create({ model: "stories", prompt: "Once upon a time", max_tokens: 12, temperature: 0 });
    expect(completion.object).toBe("text_completion");
    expect(completion.choices[0]!.text.startsWith(", there was a little girl named Lily")).toBe(true);
    expect(completion.usage).toEqual({ prompt_tokens: 5, completion_tokens: 12, total_tokens: 17 });
    const asArray = await server.admin.completions.create({ model: "stories", prompt: ["Once upon a time"], max_tokens: 12, temperature: 0 });
    expect(asArray.choices[0]!.text).toBe(completion.choices[0]!.text);
  });

  it("echo with logprobs puts the prompt tokens first, the first one with a null logprob", async () => {
    const completion = await server.admin.completions.create({ model: "stories", prompt: "Once upon a time", max_tokens: 3, temperature: 0, echo: true, logprobs: 2 });
    const choice = completion.choices[0]!;
    expect(choice.text.startsWith("Once upon a time")).toBe(true);
    const logprobs = choice.logprobs!;
    const promptTokens = completion.usage!.prompt_tokens - 1; // BOS is context only
    expect(logprobs.tokens).toHaveLength(promptTokens + 3);
    expect(logprobs.tokens!.join("")).toBe(choice.text);
    expect(logprobs.token_logprobs![0]).toBeNull();
    expect(logprobs.top_logprobs![0]).toBeNull();
    for (const value of logprobs.token_logprobs!.slice(1)) expect(value).toBeLessThanOrEqual(0);
    for (const top of logprobs.top_logprobs!.slice(1)) expect(Object.keys(top)).toHaveLength(2);
    expect(logprobs.text_offset![0]).toBe(0);
    expect(logprobs.text_offset!.every((offset, index, all) => index === 0 || offset > all[index - 1]!)).toBe(true);
  });

  it("scores a prompt with echo and max_tokens 0: the sum of prompt logprobs equals node-llama-cpp in-process to 1e-4", async () => {
    const text = "Once upon a time, there was a little girl named Lily. She loved to play outside.";
    const completion = await server.admin.completions.create({ model: "stories", prompt: text, max_tokens: 0, echo: true, logprobs: 0 });
    const choice = completion.choices[0]!;
    expect(choice.text).toBe(text);
    expect(choice.finish_reason).toBe("length");
    expect(completion.usage!.completion_tokens).toBe(0);
    const logprobs = choice.logprobs!.token_logprobs!;
    expect(logprobs[0]).toBeNull();
    const sum = logprobs.slice(1).reduce<number>((total, value) => total + value, 0);
    expect(Math.abs(sum - (await inProcessPromptLogprob(text)))).toBeLessThan(1e-4);
    await expect(server.admin.completions.create({ model: "stories", prompt: text, max_tokens: 0 })).rejects.toMatchObject({ status: 400, param: "max_tokens" });
  });

  it("streams text_completion chunks, then usage", async () => {
    const stream = await server.admin.completions.create({
      model: "stories",
      prompt: "Once upon a time",
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.text ?? "").join("");
    expect(text.startsWith(", there was a little girl named Lily")).toBe(true);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("length");
    expect(chunks[chunks.length - 1]!.usage).toEqual({ prompt_tokens: 5, completion_tokens: 12, total_tokens: 17 });
  });
});

describe("embeddings", () => {
  const norm = (vector: number[]) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));

  it("float and base64 encodings carry the same L2-normalised vectors and exact usage", async () => {
    const input = ["hello world", "a second, longer sentence to embed"];
    const floats = await server.admin.embeddings.create({ model: "bert", input, encoding_format: "float" });
    expect(floats.object).toBe("list");
    expect(floats.data.map((item) => item.index)).toEqual([0, 1]);
    for (const item of floats.data) expect(norm(item.embedding)).toBeCloseTo(1, 5);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(4);
    expect(floats.usage.total_tokens).toBe(floats.usage.prompt_tokens);
    // The SDK asks for base64 by default and decodes it.
    const decoded = await server.admin.embeddings.create({ model: "bert", input });
    expect(decoded.usage).toEqual(floats.usage);
    decoded.data.forEach((item, index) => {
      const expected = floats.data[index]!.embedding;
      expect(item.embedding).toHaveLength(expected.length);
      item.embedding.forEach((value, position) => expect(value).toBeCloseTo(expected[position]!, 6));
    });
  });

  it("base64 is little-endian float32 of the vector", async () => {
    const response = await fetch(`${server.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "bert", input: "hello", encoding_format: "base64" }),
    });
    const body = (await response.json()) as { data: { embedding: string }[] };
    const bytes = Buffer.from(body.data[0]!.embedding, "base64");
    const vector = Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
    expect(norm(vector)).toBeCloseTo(1, 5);
    const floats = await server.admin.embeddings.create({ model: "bert", input: "hello", encoding_format: "float" });
    vector.forEach((value, index) => expect(value).toBeCloseTo(floats.data[0]!.embedding[index]!, 6));
  });

  it("rejects token arrays, empty input and chat on an embedding model with a 400", async () => {
    const attempts: [unknown, string][] = [
      [{ model: "bert", input: [1, 2, 3] }, "input"],
      [{ model: "bert", input: "" }, "input"],
      [{ model: "bert", input: [] }, "input"],
      [{ model: "bert", input: "x", encoding_format: "int8" }, "encoding_format"],
    ];
    for (const [body, param] of attempts) {
      const error = await server.admin.post("/embeddings", { body }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    }
    const chat = await server.admin.chat.completions.create({ model: "bert", messages: [{ role: "user", content: "hi" }] }).catch((caught: unknown) => caught);
    expect(chat).toBeInstanceOf(OpenAI.BadRequestError);
    expect((chat as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("model_not_supported");
  });
});
