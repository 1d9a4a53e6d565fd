import { Hono } from "hono";
import type { Maas } from "../../maas/index.js";
import { AuthenticationError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { toOwnKeyView } from "./key-view.js";

/** `GET /v1/me`: the calling key (id, name, admin, limits, budget spent and remaining). */
export function meRoutes({ maas, now = Date.now }: { maas: Pick<Maas, "keys">; now?: (() => number) | undefined }): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().get("/", async (c) => {
    const record = await maas.keys.get(c.get("principal").id);
    if (!record) throw new AuthenticationError({ message: "The API key no longer exists.", code: "invalid_api_key" });
    return c.json(toOwnKeyView(record, now()));
  });
}
