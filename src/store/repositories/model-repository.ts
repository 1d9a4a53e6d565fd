import { sql } from "kysely";
import { z } from "zod";
import type { ModelMetadata, RegisteredModel } from "../../runtime/types.js";
import { InvalidRequestError, modelNameKey } from "../../spec/index.js";
import type { ModelsTable } from "../schema.js";
import { affectedRows, type DatabaseExecutor, isUniqueViolation } from "./database-executor.js";

const optionalNumber = z.number().nullish().transform((value) => value ?? undefined);
const optionalString = z.string().nullish().transform((value) => value ?? undefined);

const metadataSchema = z.object({
  architecture: z.string(),
  kind: z.enum(["llm", "embedding"]),
  parameterCount: optionalNumber,
  quantization: optionalString,
  contextLength: optionalNumber,
  embeddingLength: optionalNumber,
  expertCount: optionalNumber,
  expertUsedCount: optionalNumber,
  hasChatTemplate: z.boolean(),
  vocabularySize: optionalNumber,
  fileSizeBytes: z.number(),
  projector: z
    .object({
      path: z.string(),
      projectorType: optionalString,
      projectionDim: z.number(),
      imageSize: optionalNumber,
      patchSize: optionalNumber,
      fileSizeBytes: z.number(),
    })
    .nullish()
    .transform((value) => value ?? undefined),
});

export type ModelRepositoryOptions = {
  /** Clock for `created_at`. Defaults to `Date.now`. */
  now?: () => number;
};

export type AddModelInput = RegisteredModel & {
  /** sha256 of the file, when known (e.g. checked by `aiplus pull`). */
  sha256?: string | undefined;
};

/** A registered model with what the registry records about its file (for the admin API). */
export type RegisteredModelEntry = RegisteredModel & {
  /** sha256 of the file when it was checked at registration (pulled models), else undefined. */
  sha256: string | undefined;
  /** When it was registered (epoch ms). */
  createdAt: number;
};

/** The model registry: registered GGUF files by public name (kept as given, matched without regard to case). */
export type ModelRepository = ReturnType<typeof createModelRepository>;

export function createModelRepository(database: DatabaseExecutor, options: ModelRepositoryOptions = {}) {
  const now = options.now ?? Date.now;
  return {
    /** Registers a model under the name as given; throws InvalidRequestError when the name is taken in any case. */
    async add(model: AddModelInput): Promise<RegisteredModel> {
      const alreadyExists = (existing = model.name) => new InvalidRequestError({ message: `model ${existing} already exists`, param: "name" });
      const existing = await this.get(model.name);
      if (existing) throw alreadyExists(existing.name);
      try {
        await database.db
          .insertInto("models")
          .values({
            name: model.name,
            path: model.path,
            kind: model.kind,
            size_bytes: model.metadata.fileSizeBytes,
            sha256: model.sha256 ?? null,
            architecture: model.metadata.architecture,
            metadata: JSON.stringify(model.metadata),
            created_at: now(),
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw alreadyExists();
        throw error;
      }
      return { name: model.name, path: model.path, kind: model.kind, metadata: model.metadata };
    },

    async list(): Promise<RegisteredModel[]> {
      const rows = await database.db.selectFrom("models").selectAll().orderBy("name").execute();
      return rows.map(toRegisteredModel);
    },

    /** Every model with its sha256 and registration time, by name. */
    async listEntries(): Promise<RegisteredModelEntry[]> {
      const rows = await database.db.selectFrom("models").selectAll().orderBy("name").execute();
      return rows.map(toEntry);
    },

    /** {@link get} with its sha256 and registration time. */
    async getEntry(name: string): Promise<RegisteredModelEntry | undefined> {
      const row = await database.db.selectFrom("models").selectAll().where(sql<string>`lower(name)`, "=", modelNameKey(name)).executeTakeFirst();
      return row ? toEntry(row) : undefined;
    },

    /** The model registered as `name` in any case (`stories260k` finds `Stories260K`). */
    async get(name: string): Promise<RegisteredModel | undefined> {
      const row = await database.db.selectFrom("models").selectAll().where(sql<string>`lower(name)`, "=", modelNameKey(name)).executeTakeFirst();
      return row ? toRegisteredModel(row) : undefined;
    },

    /** Removes a model (by its name in any case); false when there was none by that name. */
    async remove(name: string): Promise<boolean> {
      const result = await database.db.deleteFrom("models").where(sql<string>`lower(name)`, "=", modelNameKey(name)).executeTakeFirst();
      return affectedRows(result) > 0;
    },
  };
}

function toEntry(row: ModelsTable): RegisteredModelEntry {
  return { ...toRegisteredModel(row), sha256: row.sha256 ?? undefined, createdAt: Number(row.created_at) };
}

function toRegisteredModel(row: ModelsTable): RegisteredModel {
  const parsed = metadataSchema.parse(JSON.parse(row.metadata));
  const metadata: ModelMetadata = {
    architecture: parsed.architecture,
    kind: parsed.kind,
    parameterCount: parsed.parameterCount,
    quantization: parsed.quantization,
    contextLength: parsed.contextLength,
    embeddingLength: parsed.embeddingLength,
    expertCount: parsed.expertCount,
    expertUsedCount: parsed.expertUsedCount,
    hasChatTemplate: parsed.hasChatTemplate,
    vocabularySize: parsed.vocabularySize,
    fileSizeBytes: parsed.fileSizeBytes,
    ...(parsed.projector ? { projector: parsed.projector } : {}),
  };
  return { name: row.name, path: row.path, kind: z.enum(["llm", "embedding"]).parse(row.kind), metadata };
}
