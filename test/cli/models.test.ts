import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testModelPath } from "../support/test-models.js";
import { jsonOf, oneLineError, runAiplus, temporaryHome, type ModelJson } from "./run-aiplus.js";

let home: string;

beforeAll(() => {
  home = temporaryHome();
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

const listModels = async () => jsonOf<ModelJson[]>(await runAiplus(["models", "ls", "--json"], { home }));

describe("aiplus models", () => {
  it("adds real GGUF files with their metadata, MoE expert counts included", async () => {
    const stories = await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--json"], { home });
    expect(stories.code).toBe(0);
    expect(jsonOf<ModelJson>(stories)).toMatchObject({
      name: "stories260K", // the file name keeps its case
      object: "model",
      kind: "llm",
      architecture: "llama",
      parameter_count: 292_800,
      quantization: "F32",
      context_length: 2048,
      has_chat_template: false,
      file_size_bytes: 1_185_376,
      modalities: { input: ["text"], output: ["text"] },
      created_at: expect.any(Number),
    });
    expect(jsonOf<Record<string, unknown>>(stories)).not.toHaveProperty("loaded");

    const moe = await runAiplus(["models", "add", await testModelPath("tiny-llama-moe-random.gguf"), "--name", "moe"], { home });
    expect(moe.code).toBe(0);
    expect(moe.stdout).toMatch(/^added model moe: llama, .*4 experts, 2 used/);

    const qwen = jsonOf<ModelJson>(await runAiplus(["models", "add", await testModelPath("tiny-qwen2moe-random.gguf"), "--json"], { home }));
    expect(qwen).toMatchObject({ name: "tiny-qwen2moe-random", architecture: "qwen2moe", expert_count: 4, expert_used_count: 2, has_chat_template: true });

    const bert = jsonOf<ModelJson>(await runAiplus(["models", "add", await testModelPath("tiny-bert-random.gguf"), "--name", "bert", "--json"], { home }));
    expect(bert).toMatchObject({ name: "bert", kind: "embedding", architecture: "bert" });
  }, 180_000);

  it("lists and shows models, in text and JSON", async () => {
    const models = await listModels();
    expect(models.map((model) => model.name)).toEqual(["bert", "moe", "stories260K", "tiny-qwen2moe-random"]);
    expect(models.find((model) => model.name === "moe")).toMatchObject({ expert_count: 4, expert_used_count: 2 });

    const table = await runAiplus(["models", "ls"], { home });
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME\s+KIND\s+ARCHITECTURE\s+PARAMETERS/);
    expect(table.stdout).toMatch(/moe\s+llm\s+llama\s+287\.6K\s+F32\s+512\s+2\/4/);

    const show = await runAiplus(["models", "show", "tiny-qwen2moe-random"], { home });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^architecture:\s+qwen2moe$/m);
    expect(show.stdout).toMatch(/^experts:\s+4 \(2 used per token\)$/m);
    expect(show.stdout).toMatch(/^chat template:\s+yes$/m);
    expect(show.stdout).toMatch(/^embedding size:\s+64$/m);
    expect(show.stdout).toMatch(/^file size:\s+969248 bytes/m);
    expect(show.stdout).toContain(`path:`);

    const shown = jsonOf<ModelJson>(await runAiplus(["models", "show", "stories260k", "--json"], { home }));
    expect(shown.path).toBe(await testModelPath("stories260K.gguf"));
    expect(shown.expert_count).toBeNull();
  }, 180_000);

  it("rejects truncated and non-GGUF files with one line, exit 1, registry unchanged", async () => {
    const before = await listModels();
    const truncated = path.join(home, "truncated.gguf");
    const original = fs.readFileSync(await testModelPath("stories260K.gguf"));
    fs.writeFileSync(truncated, original.subarray(0, 600_000));
    const text = path.join(home, "notes.gguf");
    fs.writeFileSync(text, "these are not model weights\n");

    const truncatedRun = await runAiplus(["models", "add", truncated], { home });
    expect(truncatedRun.code).toBe(1);
    expect(oneLineError(truncatedRun)).toMatch(/^aiplus: .*truncated\.gguf is a truncated GGUF: its header declares 48 tensors \(1185376 bytes in all\) but the file ends at byte 600000$/);

    const cut = path.join(home, "cut.gguf");
    fs.writeFileSync(cut, original.subarray(0, 2000));
    const cutRun = await runAiplus(["models", "add", cut], { home });
    expect(cutRun.code).toBe(1);
    expect(oneLineError(cutRun)).toMatch(/^aiplus: .*cut\.gguf is a truncated GGUF: its header declares 48 tensors and 19 metadata entries but the file ends at byte 2000, inside the metadata$/);
    expect(cutRun.stderr).not.toMatch(/Cannot read properties/);

    const projector = await runAiplus(["models", "add", await testModelPath("tiny-mmproj-random.gguf")], { home });
    expect(projector.code).toBe(1);
    expect(oneLineError(projector)).toMatch(/^aiplus: .*tiny-mmproj-random\.gguf is a multimodal projector \(architecture "clip"\), not a chat or embedding model; .*--mmproj$/);

    const textRun = await runAiplus(["models", "add", text], { home });
    expect(textRun.code).toBe(1);
    expect(oneLineError(textRun)).toMatch(/^aiplus: .*notes\.gguf is not a GGUF file/);

    const missingRun = await runAiplus(["models", "add", path.join(home, "missing.gguf")], { home });
    expect(missingRun.code).toBe(1);
    expect(oneLineError(missingRun)).toMatch(/^aiplus: model file not found: /);

    const duplicate = await runAiplus(["models", "add", await testModelPath("stories260K.gguf")], { home });
    expect(duplicate.code).toBe(1);
    expect(oneLineError(duplicate)).toBe("aiplus: model stories260K already exists");

    const badName = await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--name", "bad name!"], { home });
    expect(badName.code).toBe(2);
    expect(oneLineError(badName)).toMatch(/--name <name>' argument 'bad name!' is invalid/);

    expect(await listModels()).toEqual(before);
  }, 180_000);

  it("removes a model and reports unknown ones", async () => {
    const removed = await runAiplus(["models", "rm", "bert"], { home });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/^removed model bert \(the file .*tiny-bert-random\.gguf was kept\)/);
    expect(fs.existsSync(await testModelPath("tiny-bert-random.gguf"))).toBe(true);
    expect((await listModels()).map((model) => model.name)).toEqual(["moe", "stories260K", "tiny-qwen2moe-random"]);

    for (const args of [["models", "rm", "bert"], ["models", "show", "nope"]]) {
      const run = await runAiplus(args, { home });
      expect(run.code).toBe(1);
      expect(oneLineError(run)).toMatch(/^aiplus: unknown model (bert|nope); see `aiplus models ls`$/);
    }
  }, 180_000);
});
