import { Hono } from "hono";
import type { ModelListing } from "../../gateway/types.js";
import { isModelAllowed, type KeyPrincipal, type ModelPrice } from "../../maas/index.js";
import { modelNameKey, NotFoundError, sameModelName } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import type { RouteDependencies } from "./route-helpers.js";

/**
 * `GET /v1/models` and `GET /v1/models/:id`: the models this key may use, in OpenAI's format plus aiplus fields:
 * `kind` (`chat` for models that answer chat and text completions, `embedding` for embedders) and `pricing`
 * (the price book's dollars per 1M input and output tokens, or null when the model is unpriced and costs nothing) and
 * `modalities` (`{"input": ["text", "image"], "output": ["text"]}` for a local model; null for an upstream one).
 */
export function modelsRoutes(dependencies: RouteDependencies): Hono<AppEnvironment> {
  const visibleModels = async (principal: KeyPrincipal) =>
    (await dependencies.gateway.listModels()).filter((model) => isModelAllowed(principal, model.id));
  const pricesByModel = async () => new Map((await dependencies.maas.prices.list()).map((price) => [modelNameKey(price.model), price]));
  return new Hono<AppEnvironment>()
    .get("/", async (c) => {
      const [models, prices] = await Promise.all([visibleModels(c.get("principal")), pricesByModel()]);
      return c.json({ object: "list", data: models.map((model) => toWireModel(model, prices.get(modelNameKey(model.id)))) });
    })
    .get("/:id{.+}", async (c) => {
      const id = c.req.param("id");
      const model = (await visibleModels(c.get("principal"))).find((candidate) => sameModelName(candidate.id, id));
      if (!model) throw new NotFoundError({ message: `The model '${id}' does not exist`, param: "model", code: "model_not_found" });
      return c.json(toWireModel(model, await dependencies.maas.prices.get(model.id)));
    });
}

function toWireModel(model: ModelListing, price: ModelPrice | undefined) {
  return {
    id: model.id,
    object: "model",
    created: model.created,
    owned_by: model.ownedBy,
    kind: toWireKind(model.kind),
    modalities: model.modalities ?? null,
    pricing: price ? { input_per_million: price.inputDollarsPerMillion, output_per_million: price.outputDollarsPerMillion } : null,
  };
}

function toWireKind(kind: ModelListing["kind"]): "chat" | "embedding" {
  switch (kind) {
    case "llm":
      return "chat";
    case "embedding":
      return "embedding";
  }
}
