import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assertModelAllowed, createMaas, hashApiKey, loadKeySecret, type Maas } from "../../src/maas/index.js";
import { AuthenticationError, InvalidRequestError, NotFoundError, PermissionDeniedError } from "../../src/spec/index.js";
import { createApiKeyRepository } from "../../src/store/index.js";
import { sqliteTestDatabase, type TestDatabase } from "../store/test-databases.js";

const secret = "test-secret-0123456789abcdef";

describe("API keys", () => {
  let test: TestDatabase;
  let clock: number;
  let maas: Maas;
  beforeEach(async () => {
    test = await sqliteTestDatabase.open();
    clock = Date.UTC(2026, 10, 15, 12);
    maas = createMaas({ database: test.database, keySecret: secret, now: () => clock });
  });
  afterEach(async () => {
    await maas.dispose();
    await test.close();
  });

  it("creates a key shown once, stores only its keyed hash and prefix, and authenticates it", async () => {
    const { record, key } = await maas.keys.create({ name: "alice", models: ["qwen3-0.6b"], rpm: 60, tpm: 20_000, budget: 5 });
    expect(key).toMatch(/^aip_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ name: "alice", prefix: key.slice(0, 12), models: ["qwen3-0.6b"], rpm: 60, tpm: 20_000, budgetNanos: 5_000_000_000, budgetPeriod: "month", periodStart: Date.UTC(2026, 10, 1), isAdmin: false });
    const rows = await test.database.db.selectFrom("api_keys").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.hash).toBe(hashApiKey(key, secret));
    expect(JSON.stringify(rows)).not.toContain(key);

    const principal = await maas.authenticate(`Bearer ${key}`);
    expect(principal).toEqual({ id: record.id, name: "alice", prefix: record.prefix, isAdmin: false, allowCodeExecution: false, models: ["qwen3-0.6b"], rpm: 60, tpm: 20_000, budgetNanos: 5_000_000_000 });
    expect((await maas.authenticate(key)).id).toBe(record.id);
    expect(() => assertModelAllowed(principal, "qwen3-0.6b")).not.toThrow();
    expect(() => maas.assertModelAllowed(principal, "other")).toThrow(PermissionDeniedError);
  });

  it("rejects missing, malformed, wrong, revoked and expired keys with distinct messages", async () => {
    const { record, key } = await maas.keys.create({ name: "bob", expiresAt: clock + 60_000 });
    await expect(maas.authenticate(undefined)).rejects.toThrow(/didn't provide an API key/);
    await expect(maas.authenticate("Bearer ")).rejects.toBeInstanceOf(AuthenticationError);
    await expect(maas.authenticate("Bearer has spaces inside")).rejects.toThrow(/Incorrect API key provided/);
    await expect(maas.authenticate(`Bearer ${"x".repeat(600)}`)).rejects.toThrow(/Incorrect API key provided/);
    // Same visible prefix, different secret part: the hash differs, so it is unknown.
    const forged = `${key.slice(0, 12)}${"A".repeat(key.length - 12)}`;
    const wrong = await maas.authenticate(forged).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(AuthenticationError);
    expect((wrong as AuthenticationError).message).toMatch(/Incorrect API key provided/);
    expect((wrong as AuthenticationError).message).not.toContain(forged);
    // A key hashed under another secret does not authenticate either.
    const otherMaas = createMaas({ database: test.database, keySecret: "another-secret-0123456789", now: () => clock });
    await expect(otherMaas.authenticate(key)).rejects.toThrow(/Incorrect API key provided/);

    clock += 60_000;
    await expect(maas.authenticate(key)).rejects.toThrow(/API key expired/);
    await maas.keys.updateLimits(record.id, { expiresAt: null });
    expect((await maas.authenticate(key)).name).toBe("bob");
    await maas.keys.revoke(record.id);
    await maas.keys.revoke(record.id);
    await expect(maas.authenticate(key)).rejects.toThrow(/API key revoked/);
    expect((await maas.keys.get(record.id))?.revokedAt).toBe(clock);
  });

  it("updates limits, resolves by prefix, and refuses bad input without changing state", async () => {
    const { record } = await maas.keys.create({ name: "carol", budget: 1, budgetPeriod: "week" });
    expect(record.periodStart).toBe(Date.UTC(2026, 10, 9)); // Monday
    const updated = await maas.keys.updateLimits(record.id, { rpm: 5, budget: null, models: ["a", "b"], budgetPeriod: "day" });
    expect(updated).toMatchObject({ rpm: 5, budgetNanos: undefined, models: ["a", "b"], budgetPeriod: "day", periodStart: Date.UTC(2026, 10, 15) });
    expect((await maas.keys.resolve(record.prefix)).id).toBe(record.id);
    await expect(maas.keys.resolve("aip_nothing")).rejects.toBeInstanceOf(NotFoundError);
    await expect(maas.keys.updateLimits("missing", { rpm: 1 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(maas.keys.revoke("missing")).rejects.toBeInstanceOf(NotFoundError);
    await expect(maas.keys.create({ name: "" })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(maas.keys.create({ name: "x", rpm: -1 })).rejects.toThrow(/rpm/);
    await expect(maas.keys.create({ name: "x", budget: -5 })).rejects.toThrow(/budget/);
    await expect(maas.keys.create({ name: "x", budgetPeriod: "year" as "day" })).rejects.toThrow(/budgetPeriod/);
    await expect(maas.keys.updateLimits(record.id, { tpm: 1.5 })).rejects.toThrow(/tpm/);
    expect((await maas.keys.list()).map((key) => key.name)).toEqual(["carol"]);
    expect((await maas.keys.get(record.id))?.rpm).toBe(5);
  });

  it("bootstraps an admin key once when none is configured", async () => {
    const first = await maas.ensureAdminKey({});
    expect(first.key).toMatch(/^aip_/);
    expect(first.record).toMatchObject({ name: "admin", isAdmin: true, models: undefined });
    const principal = await maas.authenticate(first.key);
    expect(principal.isAdmin).toBe(true);
    const second = await maas.ensureAdminKey({});
    expect(second.key).toBeUndefined();
    expect(second.record.id).toBe(first.record.id);
    await maas.keys.revoke(first.record.id);
    const third = await maas.ensureAdminKey();
    expect(third.key).toMatch(/^aip_/);
    expect(third.record.id).not.toBe(first.record.id);
  });

  it("upserts the configured admin key (AIPLUS_ADMIN_KEY) and follows a changed value", async () => {
    const configured = "my-admin-key-0123456789";
    const first = await maas.ensureAdminKey({ adminKey: configured });
    expect(first.key).toBeUndefined();
    expect(first.record).toMatchObject({ name: "admin", isAdmin: true, prefix: configured.slice(0, 12) });
    expect((await maas.authenticate(`Bearer ${configured}`)).isAdmin).toBe(true);
    expect((await maas.ensureAdminKey({ adminKey: configured })).record.id).toBe(first.record.id);
    const changed = "changed-admin-key-987654321";
    const second = await maas.ensureAdminKey({ adminKey: changed });
    expect(second.record.id).toBe(first.record.id);
    await expect(maas.authenticate(configured)).rejects.toBeInstanceOf(AuthenticationError);
    expect((await maas.authenticate(changed)).isAdmin).toBe(true);
    expect(await createApiKeyRepository(test.database).list({ admin: true })).toHaveLength(1);
  });
});

describe("loadKeySecret", () => {
  it("creates a private random secret once and reads it back; a configured secret wins", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-secret-"));
    try {
      const secret = loadKeySecret(home);
      expect(secret.length).toBeGreaterThanOrEqual(43);
      expect(fs.statSync(path.join(home, "secret")).mode & 0o777).toBe(0o600);
      expect(loadKeySecret(home)).toBe(secret);
      expect(loadKeySecret(home, "configured-secret-value")).toBe("configured-secret-value");
      fs.writeFileSync(path.join(home, "secret"), "short");
      expect(() => loadKeySecret(home)).toThrow(/too short/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
