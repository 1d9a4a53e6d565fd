import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegisteredModel } from "../../src/runtime/index.js";
import { createModelRepository } from "../../src/store/index.js";
import { testDatabaseFactories, type TestDatabase } from "./test-databases.js";

const model: RegisteredModel = {
  name: "vision",
  path: "/models/stories260K.gguf",
  kind: "llm",
  metadata: {
    architecture: "llama",
    kind: "llm",
    parameterCount: 292_800,
    quantization: "F32",
    contextLength: 2048,
    embeddingLength: 64,
    expertCount: undefined,
    expertUsedCount: undefined,
    hasChatTemplate: false,
    vocabularySize: 512,
    fileSizeBytes: 1_185_376,
    projector: { path: "/models/tiny-mmproj-random.gguf", projectorType: "mlp", projectionDim: 64, imageSize: 32, patchSize: 16, fileSizeBytes: 195_584 },
  },
};

for (const factory of testDatabaseFactories) {
  describe(`model projectors on ${factory.dialect}`, () => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await factory.open();
    });
    afterAll(async () => {
      await test?.close();
    });

    it("stores a model's vision projector with it; a model without one reads back without it", async () => {
      const models = createModelRepository(test.database, { now: () => 1000 });
      await models.add(model);
      expect(await models.get("vision")).toEqual(model);
      expect((await models.getEntry("VISION"))?.metadata.projector).toEqual(model.metadata.projector);
      const { projector: _projector, ...plainMetadata } = model.metadata;
      await models.add({ ...model, name: "plain", metadata: plainMetadata });
      const plain = await models.get("plain");
      expect(plain?.metadata).toEqual(plainMetadata);
      expect(plain?.metadata).not.toHaveProperty("projector");
    });
  });
}
