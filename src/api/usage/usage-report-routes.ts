import { Hono } from "hono";
import { z } from "zod";
import type { Guardrails } from "../../guardrails/index.js";
import type { Maas } from "../../maas/index.js";
import { unixSeconds } from "../admin/admin-fields.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { decisionsByRequest } from "./guardrail-decision-view.js";
import { usageCsv } from "./usage-csv.js";
import { groupingList, integerParameter, resolveUsageScope, type UsageScope, usageFilterShape } from "./usage-query.js";
import { reportTotals, toLogRecordView, toReportRowView, type UsageReportGrouping, usageGroupings } from "./usage-views.js";

const reportQuery = z.strictObject({ ...usageFilterShape, by: groupingList(usageGroupings) });
const exportQuery = z.strictObject({
  ...usageFilterShape,
  by: groupingList(usageGroupings),
  format: z.enum(["csv"], { error: "format must be csv" }).default("csv"),
});
const recordsQuery = z.strictObject({
  ...usageFilterShape,
  limit: integerParameter("limit", 1, 500).default(50),
  offset: integerParameter("offset", 0, 1_000_000_000).default(0),
});

/**
 * `/v1/usage` for every key (its own usage; an admin key sees every key's): `GET /` totals grouped by day (midnight to
 * midnight in `tz`), model, key, endpoint or status; `GET /records` the request log, paged, newest first;
 * `GET /export?format=csv` the report as a CSV download. The summary (`/summary`) lives in the console routes. With
 * guardrails, each record of the request log carries its `guardrail_decisions` (from the audit log, by request id).
 */
export function usageReportRoutes({ maas, guardrails }: { maas: Pick<Maas, "usage">; guardrails?: Pick<Guardrails, "audit"> | undefined }): Hono<AppEnvironment> {
  const report = (scope: UsageScope, by: readonly UsageReportGrouping[]) =>
    maas.usage.aggregate({ by, since: scope.since, until: scope.until, keyId: scope.keyId, model: scope.model, status: scope.status, timeZone: scope.timeZone });
  const scopeView = (scope: UsageScope) => ({ time_zone: scope.timeZone, scope: scope.scope, since: unixSeconds(scope.since), until: unixSeconds(scope.until) });
  return new Hono<AppEnvironment>()
    .get("/", async (c) => {
      const query = parseWithSchema(reportQuery, c.req.query());
      const scope = resolveUsageScope(query, c.get("principal"));
      const rows = await report(scope, query.by);
      return c.json({ object: "list", ...scopeView(scope), by: query.by, data: rows.map((row) => toReportRowView(row, query.by)), totals: reportTotals(rows) });
    })
    .get("/records", async (c) => {
      const query = parseWithSchema(recordsQuery, c.req.query());
      const scope = resolveUsageScope(query, c.get("principal"));
      const { records, total } = await maas.usage.page({ ...scope, limit: query.limit, offset: query.offset });
      const ids = records.map((record) => record.id);
      const decisions = decisionsByRequest(ids, guardrails ? await guardrails.audit.forRequests(ids) : []);
      const data = records.map((record) => ({ ...toLogRecordView(record), guardrail_decisions: decisions.get(record.id) ?? [] }));
      return c.json({ object: "list", ...scopeView(scope), data, total, has_more: query.offset + records.length < total });
    })
    .get("/export", async (c) => {
      const query = parseWithSchema(exportQuery, c.req.query());
      const scope = resolveUsageScope(query, c.get("principal"));
      const rows = await report(scope, query.by);
      const name = ["aiplus-usage", ...query.by, scope.since === undefined ? undefined : `from-${unixSeconds(scope.since)}`, scope.until === undefined ? undefined : `to-${unixSeconds(scope.until)}`]
        .filter((part) => part !== undefined)
        .join("-");
      return c.body(usageCsv(rows, query.by), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}.csv"`,
        "cache-control": "no-store",
        "x-aiplus-time-zone": scope.timeZone,
      });
    });
}
