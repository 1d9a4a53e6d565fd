import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { afterGate, answerFrom, Gate, PoolMember, upstreamFailure, waitForChatHits } from "./pool-member.js";

// Upstream pools end to end: the official openai client → aiplus → three engines of one model at one priority (a
// pool), plus a backup at a lower priority. Health checks run every 0.1 s.
let server: TestServer;
let key: { id: string; key: string };
const members = new Map<string, PoolMember>();

type ProviderView = {
  name: string;
  priority: number;
  outstanding_requests: number;
  health_check: { status: "up" | "down"; checked_at: number; latency_ms: number; error: string | null } | null;
  circuit: { state: string };
  routes: Array<{ model: string; state: string; consecutive_failures: number }>;
};

const member = (name: string) => members.get(name)!;

/** Providers `<model>-<member>` over the named members, serving `model`; the backup at priority 20, the pool at 10. */
async function addPool(model: string, names: readonly string[], backup?: string): Promise<void> {
  for (const name of [...names, ...(backup ? [backup] : [])]) {
    if (!members.has(name)) members.set(name, await PoolMember.start(name));
    const body = { name: `${model}-${name}`, base_url: member(name).baseUrl, api_key: "sk-pool", models: [model], priority: name === backup ? 20 : 10 };
    await server.admin.post("/admin/providers", { body });
  }
}

async function providerView(name: string): Promise<ProviderView> {
  return server.admin.get<ProviderView>(`/admin/providers/${name}`);
}

async function ask(model: string): Promise<string> {
  const completion = await server.client(key.key).chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });
  return completion.choices[0]!.message.content ?? "";
}

function chatHits<NAME extends string>(names: readonly NAME[]): Record<NAME, number> {
  return Object.fromEntries(names.map((name) => [name, member(name).chatHits])) as Record<NAME, number>;
}

/** Polls the provider view until `accept` holds (the health checks run on their own clock). */
async function waitForView(name: string, accept: (view: ProviderView) => boolean): Promise<ProviderView> {
  for (;;) {
    const view = await providerView(name);
    if (accept(view)) return view;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  server = await startTestServer({ breakerThreshold: 3, breakerCooldownSeconds: 600, upstreamHealthCheckSeconds: 0.1 });
  key = await server.createKey({ name: "pool-user" });
});

afterAll(async () => {
  await server?.close();
  for (const pooled of members.values()) await pooled.stop();
});

describe("a model served by a pool of three engines", () => {
  it("30 concurrent requests are spread 10 per engine by requests in flight, the backup gets none, and each is billed once", async () => {
    await addPool("spread-model", ["s1", "s2", "s3"], "s-backup");
    const gate = new Gate();
    for (const name of ["s1", "s2", "s3"]) member(name).chat = afterGate(gate, answerFrom(name));
    const answers = Array.from({ length: 30 }, () => ask("spread-model"));
    await waitForChatHits(["s1", "s2", "s3"].map(member), 30);
    expect(chatHits(["s1", "s2", "s3", "s-backup"] as const)).toEqual({ s1: 10, s2: 10, s3: 10, "s-backup": 0 });
    // While the answers are held, the provider view shows each engine's requests in flight.
    const inFlight = await Promise.all(["s1", "s2", "s3"].map((name) => providerView(`spread-model-${name}`)));
    expect(inFlight.map((view) => view.outstanding_requests)).toEqual([10, 10, 10]);
    gate.open();
    const texts = await Promise.all(answers);
    expect(["s1", "s2", "s3"].map((name) => texts.filter((text) => text === `from ${name}`).length)).toEqual([10, 10, 10]);
    const after = await Promise.all(["s1", "s2", "s3", "s-backup"].map((name) => providerView(`spread-model-${name}`)));
    expect(after.map((view) => view.outstanding_requests)).toEqual([0, 0, 0, 0]);
    const records = await server.platform.maas.usage.list({ keyId: key.id, model: "spread-model" });
    expect(records).toHaveLength(30);
    expect(records.every((record) => record.status === "ok" && record.failedAttempts === 0)).toBe(true);
  });

  it("an engine that fails is circuit-broken and its share goes to the others, with no error reaching a client", async () => {
    await addPool("failing-model", ["f1", "f2", "f3"]);
    member("f2").chat = upstreamFailure;
    const texts = await Promise.all(Array.from({ length: 30 }, () => ask("failing-model")));
    expect(texts.every((text) => text === "from f1" || text === "from f3")).toBe(true);
    const broken = await providerView("failing-model-f2");
    expect(broken.circuit.state).toBe("open");
    expect(broken.routes[0]).toMatchObject({ model: "failing-model", state: "open" });
    const failures = member("f2").chatHits;
    expect(failures).toBeGreaterThanOrEqual(3);

    // Open: the next requests never reach f2, and f1 and f3 share them.
    const before = chatHits(["f1", "f3"] as const);
    for (let index = 0; index < 10; index++) expect(await ask("failing-model")).toMatch(/^from f[13]$/);
    expect(member("f2").chatHits).toBe(failures);
    expect(member("f1").chatHits - before.f1).toBe(5);
    expect(member("f3").chatHits - before.f3).toBe(5);

    // Every request is billed once; the abandoned attempts on f2 are recorded with the requests they delayed.
    const records = await server.platform.maas.usage.list({ keyId: key.id, model: "failing-model" });
    expect(records).toHaveLength(40);
    expect(records.every((record) => record.status === "ok")).toBe(true);
    expect(records.reduce((sum, record) => sum + record.failedAttempts, 0)).toBe(failures);
  });

  it("an engine whose health check fails gets no traffic, and gets it again once the check passes", async () => {
    await addPool("checked-model", ["h1", "h2", "h3"]);
    const up = await waitForView("checked-model-h3", (view) => view.health_check !== null);
    expect(up.health_check).toMatchObject({ status: "up", error: null });

    member("h3").healthy = false;
    const down = await waitForView("checked-model-h3", (view) => view.health_check?.status === "down");
    expect(down.health_check?.error).toBe("upstream checked-model-h3 answered HTTP 503: h3 is restarting");
    expect(down.circuit.state).toBe("closed"); // taken out by the check, not by failed requests
    const before = chatHits(["h1", "h2", "h3"] as const);
    for (let index = 0; index < 6; index++) expect(await ask("checked-model")).toMatch(/^from h[12]$/);
    expect(member("h3").chatHits).toBe(before.h3);
    expect(member("h1").chatHits - before.h1 + member("h2").chatHits - before.h2).toBe(6);

    member("h3").healthy = true;
    await waitForView("checked-model-h3", (view) => view.health_check?.status === "up");
    const texts: string[] = [];
    for (let index = 0; index < 6; index++) texts.push(await ask("checked-model"));
    expect(texts.filter((text) => text === "from h3").length).toBe(2);
    expect(member("h3").modelListHits).toBeGreaterThanOrEqual(3);
  });

  it("when every engine of the pool fails its check, they still serve as a last resort", async () => {
    await addPool("all-down-model", ["d1", "d2"]);
    member("d1").healthy = false;
    member("d2").healthy = false;
    await waitForView("all-down-model-d1", (view) => view.health_check?.status === "down");
    await waitForView("all-down-model-d2", (view) => view.health_check?.status === "down");
    expect(await ask("all-down-model")).toMatch(/^from d[12]$/);
  });
});
