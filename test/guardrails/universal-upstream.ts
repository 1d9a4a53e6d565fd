import type http from "node:http";
import { createHash } from "node:crypto";
import { sseFrames, type FakeUpstream, type UpstreamHit } from "../gateway/fake-upstream.js";

/** Deterministic 8-dimensional vector of a text. */
function vectorOf(text: string): number[] {
  const digest = createHash("sha256").update(text).digest();
  return Array.from({ length: 8 }, (_, index) => (digest[index]! - 127.5) / 127.5);
}

function lastUser(hit: UpstreamHit): string {
  const messages = (hit.body.messages ?? []) as Array<{ role: string; content: string }>;
  return [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
}

/**
 * Answers every kind of request aiplus sends upstream: chat (echoes the last user message), legacy completions,
 * embeddings (a vector per input, from its hash), rerank (scores by position). Records like any FakeUpstream.
 */
export function universalResponder(upstream: FakeUpstream): (response: http.ServerResponse) => void {
  return (response) => {
    const hit = upstream.hits.at(-1)!;
    const json = (body: unknown) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (hit.path.endsWith("/embeddings")) {
      const input = hit.body.input as string[] | string;
      const values = typeof input === "string" ? [input] : input;
      json({ object: "list", data: values.map((value, index) => ({ object: "embedding", index, embedding: vectorOf(value) })), usage: { prompt_tokens: values.length, total_tokens: values.length } });
      return;
    }
    if (hit.path.endsWith("/rerank")) {
      const documents = hit.body.documents as string[];
      json({ results: documents.map((_, index) => ({ index, relevance_score: 1 / (index + 1) })), usage: { prompt_tokens: documents.length } });
      return;
    }
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    if (hit.path.endsWith("/completions") && !hit.path.endsWith("/chat/completions")) {
      const text = `ok: ${String(hit.body.prompt).slice(0, 40)}`;
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(sseFrames([{ id: "c", object: "text_completion", model: hit.body.model, choices: [{ index: 0, text, finish_reason: "stop" }] }, { id: "c", object: "text_completion", model: hit.body.model, choices: [], usage }]));
      return;
    }
    const text = `ok: ${lastUser(hit)}`;
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.end(
      sseFrames([
        { id: "c", object: "chat.completion.chunk", model: hit.body.model, choices: [{ index: 0, delta: { role: "assistant", content: text }, finish_reason: null }] },
        { id: "c", object: "chat.completion.chunk", model: hit.body.model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
        { id: "c", object: "chat.completion.chunk", model: hit.body.model, choices: [], usage },
      ]),
    );
  };
}
