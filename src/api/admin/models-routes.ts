import path from "node:path";
import { Hono } from "hono";
import { z } from "zod";
import { modelInUseError } from "../../rag/index.js";
import { inspectProjector } from "../../runtime/inspect-projector.js";
import type { RegisteredModelEntry } from "../../store/index.js";
import { InvalidModelFileError, InvalidRequestError, NotFoundError, sameModelName } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { modelNameField, modelNamePattern } from "./model-name-field.js";
import { loadedStateOf, toModelView } from "./model-view.js";

const createBody = z.strictObject({
  path: z.string({ error: "path must be the GGUF file's path on the server" }).min(1, { error: "path must not be empty" }),
  name: modelNameField.nullish(),
  /** A multimodal projector (llama.cpp mmproj GGUF) for the model: it then reads images (native engine). */
  mmproj: z.string({ error: "mmproj must be the projector GGUF's path on the server" }).min(1, { error: "mmproj must not be empty" }).nullish(),
});

const deleteQuery = z.object({
  force: z.enum(["true", "false", "1", "0"], { error: "force must be true or false" }).optional().transform((value) => value === "true" || value === "1"),
});

/**
 * `/v1/admin/models`: register a GGUF file (its header is read and checked; `mmproj` adds a vision projector, checked
 * against the model), list, show, load, unload and remove.
 * Removing a model that knowledge bases use (embedding model, re-index target) is refused with 409 `model_in_use`
 * naming them, unless `?force=true` (they then show `unusable`).
 */
export function adminModelsRoutes({ models, providers, runtime, inspectModelFile, knowledge }: RouteDependencies): Hono<AppEnvironment> {
  const requireModel = async (name: string) => {
    const model = await models.getEntry(name);
    if (!model) throw new NotFoundError({ message: `The model '${name}' does not exist`, param: "name", code: "model_not_found" });
    return model;
  };
  const view = (model: RegisteredModelEntry) => toModelView(model, loadedStateOf(runtime.stats(), model.name));
  return new Hono<AppEnvironment>()
    .post("/", async (c) => {
      const body = parseWithSchema(createBody, await readJsonBody(c));
      const filePath = path.resolve(body.path);
      const name = body.name ?? defaultName(filePath);
      const metadata = await inspectModelFile(filePath).catch((error: unknown) => {
        // The file is the `path` field's: name it in the 400.
        if (error instanceof InvalidModelFileError) throw new InvalidModelFileError({ message: error.message, code: error.code, param: "path", cause: error.cause });
        throw error;
      });
      if (body.mmproj) metadata.projector = await inspectProjector(path.resolve(body.mmproj), metadata);
      await models.add({ name, path: filePath, kind: metadata.kind, metadata });
      return c.json(view(await requireModel(name)), 201);
    })
    .get("/", async (c) => {
      const stats = runtime.stats();
      return c.json({ object: "list", data: (await models.listEntries()).map((model) => toModelView(model, loadedStateOf(stats, model.name))) });
    })
    .get("/:name", async (c) => c.json(view(await requireModel(c.req.param("name")))))
    .post("/:name/load", async (c) => {
      const model = await requireModel(c.req.param("name"));
      await runtime.load(model);
      return c.json(view(model));
    })
    .post("/:name/unload", async (c) => {
      const model = await requireModel(c.req.param("name"));
      await runtime.unload(model.name);
      return c.json(view(model));
    })
    .delete("/:name", async (c) => {
      const { force } = parseWithSchema(deleteQuery, c.req.query());
      const { name } = await requireModel(c.req.param("name"));
      const servedElsewhere = (await providers.list()).some((provider) => provider.models.some((listed) => sameModelName(listed, name)));
      if (!force && knowledge && !servedElsewhere) {
        const dependants = await knowledge.modelDependants(name);
        if (dependants.length > 0) throw modelInUseError(name, dependants);
      }
      await runtime.unload(name);
      await models.remove(name);
      return c.json({ id: name, object: "model", deleted: true });
    });
}

/** `stories260K.gguf` → `stories260K` (names keep their case and match in any case). */
function defaultName(filePath: string): string {
  const name = path.basename(filePath).replace(/\.gguf$/i, "").replace(/[^\w.:-]+/g, "-");
  if (!modelNamePattern.test(name)) throw new InvalidRequestError({ message: `cannot derive a model name from ${filePath}; pass name`, param: "name" });
  return name;
}
