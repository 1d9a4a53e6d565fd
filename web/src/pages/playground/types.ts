import type { Model } from "../../api/types";

/** Dollars per 1M tokens from the price book (`pricing` of `GET /v1/models`); null: the model is unpriced (free). */
export type ModelPricing = { input_per_million: number; output_per_million: number };

/** An entry of `GET /v1/models` with aiplus's `kind` and `pricing`. */
export type PlaygroundModel = Model & { kind: "chat" | "embedding"; pricing: ModelPricing | null };

export type ChatUsage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };

/** A numbered source of a grounded answer (`citations` of a chat completion with `knowledge_bases`). */
export type Citation = {
  marker: number;
  knowledge_base: string | null;
  document_id: string;
  document: string;
  title: string | null;
  page: number | null;
  heading: string | null;
  snippet: string;
  score: number;
  start: number;
  end: number;
};

/** A tool call the model made, its arguments as streamed (JSON text). */
export type ToolCall = { id: string | undefined; name: string; arguments: string };

/** A message of the request's `messages`. */
export type WireMessage = { role: "system" | "user" | "assistant"; content: string };

/** The exact JSON body of `POST /v1/chat/completions` the playground sends (and copies as curl / SDK code). */
export type ChatRequestBody = { model: string; messages: WireMessage[]; stream: true; stream_options: { include_usage: true }; [field: string]: unknown };

/** One finished turn of the transcript; immutable, so memoised views skip it while another message streams. */
export type Turn =
  | { id: string; role: "user"; content: string }
  | {
      id: string;
      role: "assistant";
      model: string;
      content: string;
      toolCalls: ToolCall[];
      citations: Citation[];
      usage: ChatUsage | null;
      pricing: ModelPricing | null;
      finishReason: string | null;
      /** `stopped`: the user pressed Stop (the server bills what was generated as a cancelled request). */
      outcome: "complete" | "stopped";
    };

export type KnowledgeBaseSummary = { id: string; name: string; status: string; document_count: number; embedding_model: string | null };

/** `GET /v1/knowledge-bases/{kb}/documents/{document}?passage_start=…&passage_end=…`. */
export type DocumentWithPassage = {
  id: string;
  name: string;
  title: string | null;
  format: string | null;
  status: string;
  character_count: number | null;
  passage: { start: number; end: number; text: string };
};
