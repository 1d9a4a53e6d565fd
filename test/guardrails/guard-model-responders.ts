import type http from "node:http";
import { sseFrames, type FakeUpstream, type UpstreamHit } from "../gateway/fake-upstream.js";
import { universalResponder } from "./universal-upstream.js";

/** What the fake judge and classifier do next (the test switches it). */
export type GuardModelBehaviour = "answer" | "error" | "not-json" | "wrong-shape" | "hang";

/** The user message of a chat request the upstream received. */
export function userText(hit: UpstreamHit): string {
  const messages = (hit.body.messages ?? []) as Array<{ role: string; content: string }>;
  return messages.find((message) => message.role === "user")?.content ?? "";
}

function streamText(response: http.ServerResponse, model: unknown, text: string): void {
  response.writeHead(200, { "content-type": "text/event-stream" });
  response.end(
    sseFrames([
      { id: "j", object: "chat.completion.chunk", model, choices: [{ index: 0, delta: { role: "assistant", content: text }, finish_reason: null }] },
      { id: "j", object: "chat.completion.chunk", model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
      { id: "j", object: "chat.completion.chunk", model, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } },
    ]),
  );
}

const judgeKeys = ["harassment", "harassment_threatening", "hate", "hate_threatening", "illicit", "illicit_violent", "self_harm", "self_harm_intent", "self_harm_instructions", "sexual", "sexual_minors", "violence", "violence_graphic"];

/**
 * A fake upstream serving a judge (`judge-model`: flags `harassment` at 90 when the text says "idiot", else 3;
 * `judge-model-b`: `harassment` at 40 and `violence` at 70 when it says "idiot"), a classifier (`classifier-model`:
 * an injection at 0.93 when the text holds the marker word PINEAPPLE, else 0.02) and, for any other model, the
 * universal responder. `behaviour()` says what the judge and classifier do instead of answering.
 */
export function guardModelResponder(upstream: FakeUpstream, behaviour: () => GuardModelBehaviour): (response: http.ServerResponse) => void {
  const universal = universalResponder(upstream);
  return (response) => {
    const hit = upstream.hits.at(-1)!;
    const model = hit.body.model as string;
    if (!["judge-model", "judge-model-b", "classifier-model"].includes(model)) {
      universal(response);
      return;
    }
    switch (behaviour()) {
      case "error":
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: "the guard model is down", type: "server_error" } }));
        return;
      case "not-json":
        streamText(response, model, "I think this text is fine.");
        return;
      case "wrong-shape":
        streamText(response, model, JSON.stringify({ verdict: "fine" }));
        return;
      case "hang": {
        // Answers only after the guard's time limit (the connection is ended when the test server stops).
        const timer = setTimeout(() => streamText(response, model, "{}"), 5_000);
        response.on("close", () => clearTimeout(timer));
        return;
      }
      case "answer":
        break;
    }
    const text = userText(hit);
    if (model === "classifier-model") {
      const injection = text.includes("PINEAPPLE");
      streamText(response, model, JSON.stringify({ injection, score: injection ? 0.93 : 0.02 }));
      return;
    }
    const rude = text.includes("idiot");
    const categories = Object.fromEntries(judgeKeys.map((key) => [key, false]));
    const scores = Object.fromEntries(judgeKeys.map((key) => [key, 0]));
    if (model === "judge-model") {
      categories.harassment = rude;
      scores.harassment = rude ? 90 : 3;
    } else {
      scores.harassment = rude ? 40 : 1;
      categories.violence = rude;
      scores.violence = rude ? 70 : 1;
    }
    streamText(response, model, JSON.stringify({ categories, category_scores: scores }));
  };
}
