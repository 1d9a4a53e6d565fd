import { Hono } from "hono";
import { z } from "zod";
import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { createResponse, type ResponsesRouteDependencies } from "./create-response.js";
import { responseRequestSchema } from "./response-request-schema.js";
import { followRunEvents } from "./runs/follow-run-events.js";
import { eventStreamResponse } from "../routes/route-helpers.js";

const retrieveQuery = z.object({
  stream: z.enum(["true", "false"], { error: 'stream must be "true" or "false"' }).optional().transform((value) => value === "true"),
  starting_after: z.coerce.number({ error: "starting_after must be an integer ≥ -1" }).int({ error: "starting_after must be an integer ≥ -1" }).min(-1, { error: "starting_after must be an integer ≥ -1" }).optional(),
});

const inputItemsQuery = z.object({
  after: z.string().min(1, { error: "after must be an item id" }).optional(),
  limit: z.coerce.number({ error: "limit must be an integer from 1 to 100" }).int({ error: "limit must be an integer from 1 to 100" }).min(1, { error: "limit must be an integer from 1 to 100" }).max(100, { error: "limit must be an integer from 1 to 100" }).default(20),
  order: z.enum(["asc", "desc"], { error: 'order must be "asc" or "desc"' }).default("desc"),
});

/**
 * The Responses API: `POST /` creates a response (streamed or not); `GET /{id}`, `DELETE /{id}`,
 * `GET /{id}/input_items` and `POST /{id}/cancel` read the responses the calling key created (another key's are 404);
 * `GET /{id}?stream=true&starting_after=N` streams a run's logged events after N, then its live ones.
 */
export function responsesRoutes(dependencies: ResponsesRouteDependencies): Hono<AppEnvironment> {
  const { responses, runs } = dependencies;
  const notFound = (id: string) => new NotFoundError({ message: `Response with id '${id}' not found.`, param: "response_id" });
  return new Hono<AppEnvironment>()
    .post("/", async (c) => createResponse(c, dependencies, parseWithSchema(responseRequestSchema, await readJsonBody(c))))
    .get("/:id", async (c) => {
      const { stream, starting_after: startingAfter } = parseWithSchema(retrieveQuery, { stream: c.req.query("stream"), starting_after: c.req.query("starting_after") });
      const response = await responses.get(c.req.param("id"), c.get("principal").id);
      if (!response) throw notFound(c.req.param("id"));
      if (!stream) return c.json(response);
      if (!runs || response.run_status === undefined) {
        throw new InvalidRequestError({ message: "Only responses created with background=true (or run with server tools) can be streamed again.", param: "stream" });
      }
      return eventStreamResponse(c, followRunEvents({ store: runs.store, hub: runs.hub, responseId: response.id, startingAfter: startingAfter ?? -1 }));
    })
    .delete("/:id", async (c) => {
      const id = c.req.param("id");
      if (!(await responses.remove(id, c.get("principal").id))) throw notFound(id);
      return c.json({ id, object: "response.deleted", deleted: true });
    })
    .get("/:id/input_items", async (c) => {
      const id = c.req.param("id");
      const { after, limit, order } = parseWithSchema(inputItemsQuery, { after: c.req.query("after"), limit: c.req.query("limit"), order: c.req.query("order") });
      const page = await responses.listInputItems(id, c.get("principal").id, { after, limit, order });
      if (!page) throw notFound(id);
      return c.json({ object: "list", data: page.items, first_id: page.items[0]?.id ?? null, last_id: page.items.at(-1)?.id ?? null, has_more: page.hasMore });
    })
    .post("/:id/cancel", async (c) => {
      const id = c.req.param("id");
      const response = await responses.get(id, c.get("principal").id);
      if (!response) throw notFound(id);
      if (!runs || !response.background) {
        throw new InvalidRequestError({ message: "Only responses created with background=true can be cancelled; this response is not a background response.", param: "response_id" });
      }
      await runs.cancel(response);
      return c.json((await responses.get(id, c.get("principal").id)) ?? response);
    });
}
