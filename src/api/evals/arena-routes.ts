import { Hono } from "hono";
import type { ArenaBattleRecord, ArenaVote, BattleWinner, EvalService } from "../../eval/index.js";
import { serializeBattleLog } from "../../eval/index.js";
import { isModelAllowed } from "../../maas/index.js";
import { type LanguageModelStreamPart, NotFoundError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { startLanguageModelCall, type StartedLanguageModelCall } from "../metering/index.js";
import { adminGuard, requestRateLimit } from "../middleware/index.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import { readTextBody } from "../request/read-text-body.js";
import { callContext, eventStreamResponse, type RouteDependencies } from "../routes/route-helpers.js";
import { anonymizedBattleError, battleRedactor } from "./battle-anonymity.js";
import { createBattleSchema, leaderboardQuerySchema, voteSchema } from "./eval-request-schemas.js";
import { wireLeaderboard } from "./eval-wire.js";

export type ArenaRouteDependencies = RouteDependencies & { evaluation: EvalService };

const voteOfWinner: Record<BattleWinner, ArenaVote> = { model_a: "a", model_b: "b", tie: "tie", "tie (bothbad)": "both_bad" };

/** Default answer length of a battle. */
const defaultBattleMaxTokens = 256;

/** A battle as its voter sees it: the models stay hidden until the vote. */
function battleView(battle: ArenaBattleRecord) {
  const voted = battle.winner !== undefined;
  return {
    id: battle.id,
    object: "arena.battle" as const,
    prompt: battle.prompt,
    category: battle.category ?? null,
    answers: { a: battle.answerA ?? null, b: battle.answerB ?? null },
    status: voted ? "voted" : battle.answerA === undefined ? "answering" : "awaiting_vote",
    winner: battle.winner === undefined ? null : voteOfWinner[battle.winner],
    models: voted ? { a: battle.modelA, b: battle.modelB } : null,
  };
}

/** Reads a metered part stream to its end: the answer text (an error part is thrown). */
async function collectAnswer(parts: ReadableStream<LanguageModelStreamPart>, onDelta?: (delta: string) => void): Promise<{ text: string; finishReason: string | undefined }> {
  let text = "";
  let finishReason: string | undefined;
  const reader = parts.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const part = next.value;
    if (part.type === "text-delta") {
      text += part.delta;
      onDelta?.(part.delta);
    } else if (part.type === "finish") finishReason = part.finishReason.unified;
    else if (part.type === "error") throw part.error;
  }
  return { text, finishReason };
}

/**
 * `/v1/arena`: anonymous battles between two drawn models (answers streamed as SSE with `a`/`b` labels, or JSON), one
 * vote per battle by the key that opened it, the Bradley–Terry leaderboard, and battle-log import/export (admin).
 */
export function arenaRoutes(dependencies: ArenaRouteDependencies): Hono<AppEnvironment> {
  const arena = dependencies.evaluation.arena;
  const rateLimit = requestRateLimit({ rateLimiter: dependencies.maas.rateLimiter });

  return new Hono<AppEnvironment>()
    .post("/battles", rateLimit, async (c) => {
      const body = parseWithSchema(createBattleSchema, await readJsonBody(c));
      const principal = c.get("principal");
      let candidates: string[];
      if (body.models) {
        candidates = [...new Set(body.models)];
        for (const model of candidates) {
          await dependencies.gateway.languageModel(model);
          dependencies.maas.assertModelAllowed(principal, model);
        }
      } else {
        const listed = await dependencies.gateway.listModels();
        candidates = listed.filter((model) => model.kind === "llm" && isModelAllowed(principal, model.id)).map((model) => model.id);
      }
      const battle = await arena.openBattle({ prompt: body.prompt, candidates, category: body.category, keyId: principal.id, sampling: body.sampling });
      // Until the vote, nothing the voter receives may name a side's model: a failing side's error is redacted.
      const redact = battleRedactor({ a: battle.modelA, b: battle.modelB }, await dependencies.providers.list());
      const context = callContext(c, dependencies);
      const start = (model: string) =>
        startLanguageModelCall(context, {
          endpoint: "chat.completions",
          model,
          options: { prompt: { type: "chat", messages: [{ role: "user", content: body.prompt }] }, sampling: { maxTokens: body.max_tokens ?? defaultBattleMaxTokens, temperature: body.temperature } },
          maxTokens: body.max_tokens ?? defaultBattleMaxTokens,
          maxTokensParam: "max_tokens",
          promptParam: "messages",
          stream: body.stream === true,
        });
      const started = await Promise.allSettled([start(battle.modelA), start(battle.modelB)]);
      const calls = started.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
      const failure = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
      if (failure) {
        await Promise.all(calls.map((call) => call.parts.cancel(failure.reason).catch(() => undefined)));
        throw anonymizedBattleError(failure.reason, redact);
      }
      const [callA, callB] = calls as [StartedLanguageModelCall, StartedLanguageModelCall];
      if (!body.stream) {
        const [answerA, answerB] = await Promise.all([collectAnswer(callA.parts), collectAnswer(callB.parts)]).catch((error: unknown) => {
          throw anonymizedBattleError(error, redact);
        });
        await arena.recordAnswers(battle.id, { answerA: answerA.text, answerB: answerB.text });
        return c.json(battleView(await arena.getBattle(battle.id)));
      }
      const encoder = new TextEncoder();
      let closed = false;
      const events = new ReadableStream<Uint8Array>({
        async start(controller) {
          const send = (value: unknown) => {
            if (!closed) controller.enqueue(encoder.encode(`data: ${typeof value === "string" ? value : JSON.stringify(value)}\n\n`));
          };
          send({ id: battle.id, object: "arena.battle", prompt: battle.prompt, category: battle.category ?? null });
          const side = async (label: "a" | "b", call: StartedLanguageModelCall) => {
            try {
              const answer = await collectAnswer(call.parts, (delta) => send({ id: battle.id, object: "arena.battle.chunk", side: label, delta }));
              send({ id: battle.id, object: "arena.battle.chunk", side: label, finish_reason: answer.finishReason ?? null });
              return answer.text;
            } catch (error) {
              send({ id: battle.id, object: "arena.battle.chunk", side: label, error: { message: redact(error instanceof Error ? error.message : String(error)) } });
              throw error;
            }
          };
          const answers = await Promise.allSettled([side("a", callA), side("b", callB)]);
          if (answers[0].status === "fulfilled" && answers[1].status === "fulfilled") {
            await arena.recordAnswers(battle.id, { answerA: answers[0].value, answerB: answers[1].value });
            send({ id: battle.id, object: "arena.battle.ready", status: "awaiting_vote" });
          }
          send("[DONE]");
          if (!closed) controller.close();
        },
        cancel(reason) {
          closed = true;
          void callA.parts.cancel(reason).catch(() => undefined);
          void callB.parts.cancel(reason).catch(() => undefined);
        },
      });
      return eventStreamResponse(c, events);
    })
    .get("/battles/:id", async (c) => {
      const battle = await arena.getBattle(c.req.param("id"));
      const principal = c.get("principal");
      if (!principal.isAdmin && battle.keyId !== principal.id) {
        throw new NotFoundError({ message: `no arena battle ${battle.id}`, param: "id", code: "battle_not_found" });
      }
      return c.json(battleView(battle));
    })
    .post("/battles/:id/vote", async (c) => {
      const body = parseWithSchema(voteSchema, await readJsonBody(c));
      const battle = await arena.vote(c.req.param("id"), body.winner, c.get("principal").id);
      return c.json(battleView(battle));
    })
    .get("/leaderboard", async (c) => {
      const query = parseWithSchema(leaderboardQuerySchema, c.req.query());
      return c.json(wireLeaderboard(await arena.leaderboard(query)));
    })
    .post("/import", adminGuard(), async (c) => {
      const result = await arena.importBattles(await readTextBody(c), "request body");
      return c.json({ object: "arena.import", ...result });
    })
    .get("/export", adminGuard(), async (c) => c.body(serializeBattleLog(await arena.exportBattles()), 200, { "content-type": "application/json; charset=utf-8" }));
}
