import { Hono } from "hono";
import { z } from "zod";
import type { Maas } from "../../maas/index.js";
import { unixSeconds } from "../admin/admin-fields.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { assertTimeZone, localDate, zonedMidnight } from "./zoned-time.js";

const summaryQuery = z.object({ tz: z.string().optional() });

/**
 * `GET /v1/usage/summary?tz=Area/City`: requests, tokens and cost charged of today and of this month (boundaries in
 * `tz`, default UTC), from the ledger; a key sees its own usage, an admin key everyone's.
 */
export function usageSummaryRoutes({ maas, now = Date.now }: { maas: Pick<Maas, "usage">; now?: (() => number) | undefined }): Hono<AppEnvironment> {
  return new Hono<AppEnvironment>().get("/summary", async (c) => {
    const timeZone = parseWithSchema(summaryQuery, c.req.query()).tz ?? "UTC";
    assertTimeZone(timeZone);
    const principal = c.get("principal");
    const keyId = principal.isAdmin ? undefined : principal.id;
    const today = localDate(now(), timeZone);
    const total = async (since: number, until: number) => {
      const [row] = await maas.usage.aggregate({ by: [], since, until, keyId });
      return {
        since: unixSeconds(since),
        until: unixSeconds(until),
        requests: row?.requests ?? 0,
        input_tokens: row?.inputTokens ?? 0,
        output_tokens: row?.outputTokens ?? 0,
        cost: row?.costDollars ?? 0,
      };
    };
    return c.json({
      object: "usage.summary",
      time_zone: timeZone,
      scope: keyId === undefined ? "all_keys" : "key",
      today: await total(zonedMidnight(today, timeZone), zonedMidnight({ ...today, day: today.day + 1 }, timeZone)),
      month: await total(zonedMidnight({ ...today, day: 1 }, timeZone), zonedMidnight({ ...today, month: today.month + 1, day: 1 }, timeZone)),
    });
  });
}
