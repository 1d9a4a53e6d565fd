import fs from "node:fs";
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

describe("aiplus models add --mmproj", () => {
  it("registers a model with its vision projector; show and ls report image input", async () => {
    const projector = await testModelPath("tiny-mmproj-random.gguf");
    const added = await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--name", "vision", "--mmproj", projector, "--json"], { home });
    expect(added.code, added.stderr).toBe(0);
    expect(jsonOf<ModelJson>(added)).toMatchObject({
      name: "vision",
      modalities: { input: ["text", "image"], output: ["text"] },
      mmproj: { path: projector, projector_type: "mlp", projection_dim: 64, file_size_bytes: 195_584 },
    });
    const shown = await runAiplus(["models", "show", "vision"], { home });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^modalities: +text, image → text$/m);
    expect(shown.stdout).toContain(`mmproj:`);
    expect(shown.stdout).toContain(`${projector} (mlp, projection 64)`);
    const listed = jsonOf<ModelJson[]>(await runAiplus(["models", "ls", "--json"], { home }));
    expect(listed.find((model) => model.name === "vision")?.modalities).toEqual({ input: ["text", "image"], output: ["text"] });
  });

  it("refuses a projector that does not match the model, naming mmproj, and registers nothing", async () => {
    const mismatched = await runAiplus(
      ["models", "add", await testModelPath("llama-2-tiny-random.gguf"), "--name", "tiny", "--mmproj", await testModelPath("tiny-mmproj-random.gguf")],
      { home },
    );
    expect(mismatched.code).not.toBe(0);
    expect(oneLineError(mismatched)).toMatch(/^aiplus: mmproj: the projector .* does not match the model: its clip.vision.projection_dim is 64, the model's embedding length \(n_embd\) is 8/);
    const notProjector = await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--name", "other", "--mmproj", await testModelPath("stories260K.gguf")], { home });
    expect(notProjector.code).not.toBe(0);
    expect(oneLineError(notProjector)).toMatch(/is not a multimodal projector: its architecture is "llama", not "clip"/);
    const names = jsonOf<ModelJson[]>(await runAiplus(["models", "ls", "--json"], { home })).map((model) => model.name);
    expect(names).toEqual(["vision"]);
  });
});
