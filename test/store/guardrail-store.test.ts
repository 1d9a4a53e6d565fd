import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { createApiKeyRepository, createAuditLogRepository, createGuardrailPolicyRepository } from "../../src/store/index.js";
import { type TestDatabase, testDatabaseFactories } from "./test-databases.js";

for (const factory of testDatabaseFactories) {
  describe(`guardrail policies and audit log on ${factory.dialect}`, () => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await factory.open();
    });
    afterAll(async () => {
      await test?.close();
    });

    it("policies: versions per name, current, list, remove, set again after removal, keys using a policy", async () => {
      const policies = createGuardrailPolicyRepository(test.database);
      const first = await policies.add({ name: "strict", document: '{"pii":"mask"}', source: "pii: mask", createdBy: "cli", createdAt: 1000 });
      expect(first).toMatchObject({ name: "strict", version: 1, createdBy: "cli", removedAt: undefined });
      const second = await policies.add({ name: "strict", document: '{"pii":"block"}', source: "pii: block", createdBy: undefined, createdAt: 2000 });
      expect(second.version).toBe(2);
      await policies.add({ name: "default", document: '{"pii":"audit"}', source: "pii: audit", createdBy: "key-1", createdAt: 3000 });
      expect((await policies.current("strict"))?.source).toBe("pii: block");
      expect((await policies.version("strict", 1))?.source).toBe("pii: mask");
      expect((await policies.versions("strict")).map((record) => record.version)).toEqual([2, 1]);
      const many = await policies.currentMany(["strict", "default", "missing"]);
      expect([...many.keys()].sort()).toEqual(["default", "strict"]);
      expect(many.get("strict")?.version).toBe(2);
      expect((await policies.list()).map((summary) => [summary.name, summary.version, summary.versions])).toEqual([
        ["default", 1, 1],
        ["strict", 2, 2],
      ]);

      const keys = createApiKeyRepository(test.database);
      await keys.insert({ id: "key-p", name: "p", prefix: "aip_pppppppp", hash: "p".repeat(64), isAdmin: false, models: undefined, rpm: undefined, tpm: undefined, budgetNanos: undefined, budgetPeriod: "month", periodStart: 0, expiresAt: undefined, createdAt: 1, policy: "strict" });
      expect((await keys.get("key-p"))?.policy).toBe("strict");
      expect(await policies.keysUsing("strict")).toEqual(["key-p"]);
      await keys.update("key-p", { policy: null });
      expect((await keys.get("key-p"))?.policy).toBeUndefined();
      expect(await policies.keysUsing("strict")).toEqual([]);

      expect(await policies.remove("strict", 4000)).toBe(true);
      expect(await policies.remove("strict", 4001)).toBe(false);
      expect(await policies.current("strict")).toBeUndefined();
      expect((await policies.version("strict", 2))?.removedAt).toBe(4000);
      const again = await policies.add({ name: "strict", document: "{}", source: "{}", createdBy: undefined, createdAt: 5000 });
      expect(again.version).toBe(3);
      expect((await policies.current("strict"))?.version).toBe(3);
    });

    it("audit log: appends in order, pages newest first with filters, refuses updates and deletes", async () => {
      const audit = createAuditLogRepository(test.database);
      await audit.append([
        { createdAt: 10, kind: "guardrail", keyId: "key-a", route: "openai", policy: "default@1", rule: "pii.EMAIL_ADDRESS", action: "mask", entityType: "EMAIL_ADDRESS", positions: [{ location: "messages[0].content", start: 4, end: 21 }], valueHmac: "ab".repeat(32), endpoint: "chat.completions", model: "gpt" },
        { createdAt: 20, kind: "admin", keyId: "key-admin", actor: "admin", rule: "keys.create", action: "create", target: "key-b", details: { fields: ["name"] } },
      ]);
      const many = Array.from({ length: 700 }, (_, index) => ({ createdAt: 30 + index, kind: "guardrail" as const, keyId: "key-b", rule: "pii.PHONE_NUMBER", action: "redact" }));
      await audit.append(many);
      const first = await audit.page({ limit: 2 });
      expect(first.entries.map((entry) => entry.createdAt)).toEqual([729, 728]);
      expect(first.next).toBe(first.entries[1]!.seq);
      const byKey = await audit.page({ keyId: "key-a", limit: 10 });
      expect(byKey.entries).toHaveLength(1);
      expect(byKey.entries[0]).toMatchObject({ rule: "pii.EMAIL_ADDRESS", action: "mask", positions: [{ location: "messages[0].content", start: 4, end: 21 }], route: "openai" });
      expect(byKey.next).toBeUndefined();
      const admin = await audit.page({ kind: "admin", limit: 10 });
      expect(admin.entries[0]).toMatchObject({ rule: "keys.create", target: "key-b", details: { fields: ["name"] } });
      const window = await audit.page({ since: 20, until: 32, limit: 10 });
      expect(window.entries.map((entry) => entry.createdAt)).toEqual([31, 30, 20]);
      let seen = 0;
      for (let before: number | undefined, pages = 0; pages < 100; pages += 1) {
        const page = await audit.page({ before, limit: 300 });
        seen += page.entries.length;
        if (page.next === undefined) break;
        before = page.next;
      }
      expect(seen).toBe(702);
      await expect(sql`update audit_log set action = 'allow'`.execute(test.database.db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from audit_log`.execute(test.database.db)).rejects.toThrow(/append-only/);
      expect((await audit.page({ limit: 1 })).entries).toHaveLength(1);
    });

    it("audit log: guardrail decisions carry the ledger's request id, read per request (migration 0028)", async () => {
      const audit = createAuditLogRepository(test.database);
      const decision = (requestId: string | undefined, rule: string) => ({ createdAt: 5000, kind: "guardrail" as const, keyId: "key-r", rule, action: "mask", requestId });
      await audit.append([decision("req-1", "pii.EMAIL_ADDRESS"), decision("req-2", "pii.CREDIT_CARD"), decision("req-1", "pii.PHONE_NUMBER"), decision(undefined, "pii.US_SSN")]);
      const page = await audit.page({ requestId: "req-1", limit: 10 });
      expect(page.entries.map((entry) => [entry.requestId, entry.rule])).toEqual([["req-1", "pii.PHONE_NUMBER"], ["req-1", "pii.EMAIL_ADDRESS"]]);
      const both = await audit.forRequests(["req-2", "req-1", "req-1"], 10);
      expect(both.map((entry) => [entry.requestId, entry.rule])).toEqual([["req-1", "pii.EMAIL_ADDRESS"], ["req-2", "pii.CREDIT_CARD"], ["req-1", "pii.PHONE_NUMBER"]]);
      expect(await audit.forRequests(["req-1", "req-2"], 2)).toHaveLength(2);
      expect(await audit.forRequests([], 10)).toEqual([]);
      expect((await audit.page({ kind: "guardrail", limit: 10 })).entries.find((entry) => entry.rule === "pii.US_SSN")?.requestId).toBeUndefined();
    });
  });
}
