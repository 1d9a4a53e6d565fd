import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterBattles, parseBattleLog } from "../../src/eval/index.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { datasetPath } from "./support/datasets-path.js";
import { httpClient, type HttpRequest } from "./support/http-client.js";

let server: TestServer;
let owner: HttpRequest;
let stranger: HttpRequest;
let admin: HttpRequest;
let ownerKeyId: string;

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("stories260K.gguf", "stories");
  await server.addModel("llama-2-tiny-random.gguf", "tiny");
  const key = await server.createKey({ name: "voter" });
  ownerKeyId = key.id;
  owner = httpClient(server.url, key.key);
  stranger = httpClient(server.url, (await server.createKey({ name: "stranger" })).key);
  admin = httpClient(server.url, server.adminKey);
}, 60_000);
afterAll(async () => {
  await server?.close();
});

/** The `data:` payloads of an SSE body. */
function events(text: string): unknown[] {
  return text
    .split("\n\n")
    .map((block) => block.trim())
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length))
    .map((data) => (data === "[DONE]" ? data : JSON.parse(data)));
}

describe("arena battles", () => {
  it("answers with two anonymous models, reveals them on the vote of the key that opened the battle, once", async () => {
    const opened = await owner("POST", "/arena/battles", { prompt: "Once upon a time", max_tokens: 12, category: "tales" });
    expect(opened.status, opened.text).toBe(200);
    expect(opened.body).toMatchObject({ object: "arena.battle", status: "awaiting_vote", models: null, winner: null, category: "tales" });
    expect(typeof opened.body.answers.a).toBe("string");
    expect(typeof opened.body.answers.b).toBe("string");
    expect(JSON.stringify(opened.body)).not.toMatch(/stories|tiny/); // no model names before the vote

    const id = opened.body.id as string;
    const foreign = await stranger("POST", `/arena/battles/${id}/vote`, { winner: "a" });
    expect(foreign.status).toBe(403);
    expect((await stranger("GET", `/arena/battles/${id}`)).status).toBe(404);
    expect((await owner("POST", `/arena/battles/${id}/vote`, { winner: "c" })).status).toBe(400);

    const voted = await owner("POST", `/arena/battles/${id}/vote`, { winner: "a" });
    expect(voted.status, voted.text).toBe(200);
    expect(voted.body).toMatchObject({ status: "voted", winner: "a" });
    expect([voted.body.models.a, voted.body.models.b].sort()).toEqual(["stories", "tiny"]);
    const again = await owner("POST", `/arena/battles/${id}/vote`, { winner: "b" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_voted");
    expect((await owner("GET", `/arena/battles/${id}`)).body.winner).toBe("a");

    // both answers were metered to the key that opened the battle
    const records = (await admin("GET", `/admin/usage/records?key_id=${ownerKeyId}`)).body.data as { model: string; endpoint: string; status: string }[];
    expect(records.filter((record) => record.endpoint === "chat.completions").map((record) => record.model).sort()).toEqual(["stories", "tiny"]);
  }, 60_000);

  it("streams both answers as SSE with a/b labels, then accepts the vote", async () => {
    const reply = await owner("POST", "/arena/battles", { prompt: "The little dog", max_tokens: 10, stream: true, models: ["stories", "tiny"] });
    expect(reply.status).toBe(200);
    expect(reply.contentType).toContain("text/event-stream");
    const parts = events(reply.text) as Record<string, any>[];
    expect(parts.at(-1)).toBe("[DONE]");
    const id = parts[0]!.id as string;
    expect(parts[0]).toMatchObject({ object: "arena.battle", id });
    const sides = new Set(parts.filter((part) => part.side !== undefined).map((part) => part.side));
    expect([...sides].sort()).toEqual(["a", "b"]);
    expect(parts.filter((part) => part.finish_reason !== undefined)).toHaveLength(2);
    expect(parts.some((part) => part.object === "arena.battle.ready")).toBe(true);
    expect(JSON.stringify(parts)).not.toMatch(/"(stories|tiny)"/);

    const stored = (await owner("GET", `/arena/battles/${id}`)).body;
    const streamedA = parts.filter((part) => part.side === "a" && part.delta !== undefined).map((part) => part.delta).join("");
    expect(stored.answers.a).toBe(streamedA);
    expect((await owner("POST", `/arena/battles/${id}/vote`, { winner: "tie" })).body.winner).toBe("tie");
  }, 60_000);

  it("refuses battles without two usable models, and unknown battles", async () => {
    expect((await owner("POST", "/arena/battles", { prompt: "x", models: ["stories"] })).status).toBe(400);
    expect((await owner("POST", "/arena/battles", { prompt: "x", models: ["stories", "missing"] })).status).toBe(404);
    expect((await owner("POST", "/arena/battles", { prompt: "" })).status).toBe(400);
    const limited = httpClient(server.url, (await server.createKey({ name: "one-model", models: ["stories"] })).key);
    const single = await limited("POST", "/arena/battles", { prompt: "x" });
    expect(single.status).toBe(400);
    expect(single.body.error.param).toBe("models");
    expect((await limited("POST", "/arena/battles", { prompt: "x", models: ["stories", "tiny"] })).status).toBe(403);
    expect((await owner("POST", "/arena/battles/arena_nope/vote", { winner: "a" })).status).toBe(404);
  });

  it("rates the voted battles: Bradley–Terry with intervals and ranks, Elo beside it, per category", async () => {
    const board = await owner("GET", "/arena/leaderboard?rounds=20");
    expect(board.status, board.text).toBe(200);
    expect(board.body).toMatchObject({ object: "arena.leaderboard", category: null, battles: 2 });
    expect(board.body.data.map((entry: { model: string }) => entry.model).sort()).toEqual(["stories", "tiny"]);
    for (const entry of board.body.data) {
      expect(entry.interval[0]).toBeLessThanOrEqual(entry.rating);
      expect(entry.interval[1]).toBeGreaterThanOrEqual(entry.rating);
      expect(entry.rank).toBeGreaterThanOrEqual(1);
      expect(typeof entry.elo).toBe("number");
      expect(entry.battles).toBe(2);
    }
    const category = (await owner("GET", "/arena/leaderboard?category=tales&rounds=20")).body;
    expect(category.battles).toBe(1);
    expect((await owner("GET", "/arena/leaderboard?category=cooking")).body.data).toEqual([]);
    expect((await owner("GET", "/arena/leaderboard?rounds=0")).status).toBe(400);
  });
});

describe("arena battle logs", () => {
  it("imports the synthetic log (admin only), reproduces its ratings, and exports them back as the same battle log", async () => {
    const fresh = await startTestServer();
    try {
      const freshAdmin = httpClient(fresh.url, fresh.adminKey);
      const user = httpClient(fresh.url, (await fresh.createKey({ name: "user" })).key);
      const text = await readFile(datasetPath("arena/synthetic_battles_seed1.json"), "utf8");
      const expected = JSON.parse(await readFile(datasetPath("arena/synthetic_battles_seed1.expected.json"), "utf8")) as {
        online_elo: { ratings: Record<string, number> };
        bradley_terry_mle: { ratings_exact_newton: Record<string, number> };
      };
      expect((await user("POST", "/arena/import", text.slice(0, 400))).status).toBe(403);
      const imported = await freshAdmin("POST", "/arena/import", text);
      expect(imported.status, imported.text).toBe(200);
      expect(imported.body).toMatchObject({ imported: 1893, skipped: 107, duplicates: 0 });
      const again = await freshAdmin("POST", "/arena/import", text);
      expect(again.body).toMatchObject({ object: "arena.import", imported: 0, skipped: 107, duplicates: 1893 });
      expect((await freshAdmin("POST", "/arena/import", "[{\"model_a\":\"x\"}]")).status).toBe(400);

      const board = (await user("GET", "/arena/leaderboard?rounds=10")).body;
      expect(board.battles).toBe(1893);
      expect(board.data.map((entry: { model: string }) => entry.model)).toEqual(Object.keys(expected.bradley_terry_mle.ratings_exact_newton));
      for (const entry of board.data) {
        expect(Math.abs(entry.rating - expected.bradley_terry_mle.ratings_exact_newton[entry.model]!)).toBeLessThan(1e-3);
        expect(Math.abs(entry.elo - expected.online_elo.ratings[entry.model]!)).toBeLessThan(1e-6);
      }

      expect((await user("GET", "/arena/export")).status).toBe(403);
      const exported = await freshAdmin("GET", "/arena/export");
      const battles = parseBattleLog(exported.text);
      const original = filterBattles(parseBattleLog(text));
      expect(battles.map(({ model_a, model_b, winner, tstamp }) => ({ model_a, model_b, winner, tstamp }))).toEqual(
        original.map(({ model_a, model_b, winner, tstamp }) => ({ model_a, model_b, winner, tstamp })),
      );

      // A log overlapping the first adds only its new battles; two identical records in one log are two battles.
      const extra = { model_a: "model-alpha", model_b: "model-bravo", winner: "model_a", tstamp: 1800000000.5, anony: true };
      const overlapping = JSON.stringify([...(JSON.parse(text) as unknown[]).slice(0, 10), extra, extra]);
      expect((await freshAdmin("POST", "/arena/import", overlapping)).body).toMatchObject({ imported: 2, skipped: 0, duplicates: 10 });
      expect((await freshAdmin("POST", "/arena/import", overlapping)).body).toMatchObject({ imported: 0, skipped: 0, duplicates: 12 });
      expect((await user("GET", "/arena/leaderboard?rounds=10")).body.battles).toBe(1895);
    } finally {
      await fresh.close();
    }
  }, 120_000);
});
