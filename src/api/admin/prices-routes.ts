import { Hono } from "hono";
import { z } from "zod";
import type { ModelPrice } from "../../maas/index.js";
import { NotFoundError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { unixSeconds } from "./admin-fields.js";

const dollars = (name: string) =>
  z.number({ error: `${name} must be a non-negative number of dollars` }).nonnegative({ error: `${name} must be a non-negative number of dollars` });
const priceBody = z.strictObject({ input_per_million: dollars("input_per_million"), output_per_million: dollars("output_per_million") });

/** `/v1/admin/prices`: dollars per 1M input and output tokens per model (local models too). */
export function pricesRoutes({ maas }: RouteDependencies): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>()
    .put("/:model", async (c) => {
      const body = parseWithSchema(priceBody, await readJsonBody(c));
      const price = await maas.prices.set(c.req.param("model"), {
        inputDollarsPerMillion: body.input_per_million,
        outputDollarsPerMillion: body.output_per_million,
      });
      return c.json(toPriceView(price));
    })
    .get("/", async (c) => c.json({ object: "list", data: (await maas.prices.list()).map(toPriceView) }))
    .get("/:model", async (c) => {
      const price = await maas.prices.get(c.req.param("model"));
      if (!price) throw notFound(c.req.param("model"));
      return c.json(toPriceView(price));
    })
    .delete("/:model", async (c) => {
      const model = c.req.param("model");
      if (!(await maas.prices.remove(model))) throw notFound(model);
      return c.json({ id: model, object: "price", deleted: true });
    });
}

function notFound(model: string): NotFoundError {
  return new NotFoundError({ message: `model ${model} has no price`, param: "model", code: "price_not_found" });
}

/** A model's price as `/v1/admin/prices` shows it (dollars per 1M tokens). */
export function toPriceView(price: ModelPrice) {
  return {
    object: "price",
    model: price.model,
    input_per_million: price.inputDollarsPerMillion,
    output_per_million: price.outputDollarsPerMillion,
    updated_at: unixSeconds(price.updatedAt),
  };
}
