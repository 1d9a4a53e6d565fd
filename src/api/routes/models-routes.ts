import { Hono } from "hono";
import type { ModelListing } from "../../gateway/types.js";
import { isModelAllowed, type KeyPrincipal } from "../../maas/index.js";
import { NotFoundError, sameModelName } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import type { RouteDependencies } from "./route-helpers.js";

/** `GET /v1/models` and `GET /v1/models/:id`: the models this key may use, in OpenAI's format. */
export function modelsRoutes(dependencies: RouteDependencies): Hono<AppEnvironment> {
  const visibleModels = async (principal: KeyPrincipal) =>
    (await dependencies.gateway.listModels()).filter((model) => isModelAllowed(principal, model.id));
  return new Hono<AppEnvironment>()
    .get("/", async (c) => c.json({ object: "list", data: (await visibleModels(c.get("principal"))).map(toWireModel) }))
    .get("/:id{.+}", async (c) => {
      const id = c.req.param("id");
      const model = (await visibleModels(c.get("principal"))).find((candidate) => sameModelName(candidate.id, id));
      if (!model) throw new NotFoundError({ message: `The model '${id}' does not exist`, param: "model", code: "model_not_found" });
      return c.json(toWireModel(model));
    });
}

function toWireModel(model: ModelListing) {
  return { id: model.id, object: "model", created: model.created, owned_by: model.ownedBy };
}
