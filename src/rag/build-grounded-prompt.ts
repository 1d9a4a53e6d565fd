import { spotlight, spotlightInstruction } from "../guardrails/index.js";
import type { ChatMessage } from "../spec/index.js";
import type { RetrievedPassage } from "./retrieve.js";

/** A source the answer may cite as `[marker]`. */
export type Citation = {
  marker: number;
  documentId: string;
  documentName: string;
  title: string | undefined;
  page: number | undefined;
  /** Heading path joined with " > " (undefined at top level). */
  heading: string | undefined;
  snippet: string;
  score: number;
  start: number;
  end: number;
};

/** Options of {@link buildGroundedPrompt}. */
export type BuildGroundedPromptOptions = {
  question: string;
  passages: RetrievedPassage[];
  /** Characters of each passage given to the model (default 2000). */
  maxPassageCharacters?: number | undefined;
  /** Characters of each citation snippet (default 240). */
  snippetCharacters?: number | undefined;
  /** What the model must answer when nothing relevant was retrieved. */
  noAnswerText?: string | undefined;
};

/** Messages for a grounded answer, the citations their markers refer to, and whether anything relevant exists. */
export type GroundedPrompt = { messages: ChatMessage[]; citations: Citation[]; nothingRelevant: boolean; noAnswerText: string };

const defaultNoAnswer = "I could not find anything relevant to this question in the knowledge base.";

/**
 * Builds a grounded-answer prompt: numbered passages `[1]`, `[2]`… with their source, instructions to answer
 * only from them and cite markers, and the matching `citations` list. With no passages the instructions make the
 * model say so instead of inventing an answer. Pure.
 */
export function buildGroundedPrompt(options: BuildGroundedPromptOptions): GroundedPrompt {
  const maxPassageCharacters = options.maxPassageCharacters ?? 2000;
  const snippetCharacters = options.snippetCharacters ?? 240;
  const noAnswerText = options.noAnswerText ?? defaultNoAnswer;
  const citations: Citation[] = options.passages.map((passage, index) => ({
    marker: index + 1,
    documentId: passage.documentId,
    documentName: passage.documentName,
    title: passage.title,
    page: passage.page,
    heading: passage.headingPath.length > 0 ? passage.headingPath.join(" > ") : undefined,
    snippet: truncate(passage.text, snippetCharacters),
    score: passage.score,
    start: passage.start,
    end: passage.end,
  }));
  if (citations.length === 0) {
    return {
      citations,
      nothingRelevant: true,
      noAnswerText,
      messages: [
        { role: "system", content: `No passage of the knowledge base is relevant to the user's question. Do not answer from memory; reply exactly: "${noAnswerText}"` },
        { role: "user", content: options.question },
      ],
    };
  }
  const sources = citations
    .map((citation, index) => {
      const location = [citation.documentName, citation.page !== undefined ? `page ${citation.page}` : undefined, citation.heading].filter(Boolean).join(", ");
      // Spotlighted: the passage is data, never instructions (the guardrails check what is inside for injections).
      return `[${citation.marker}] (${location})\n${spotlight(truncate(options.passages[index]!.text, maxPassageCharacters), "knowledge_base")}`;
    })
    .join("\n\n");
  const system =
    "Answer the user's question using only the numbered passages below. Cite every statement with the marker of its passage, " +
    `like [1] or [2][3]. If the passages do not contain the answer, reply: "${noAnswerText}"\n${spotlightInstruction}\n\nPassages:\n\n${sources}`;
  return { citations, nothingRelevant: false, noAnswerText, messages: [{ role: "system", content: system }, { role: "user", content: options.question }] };
}

function truncate(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= limit) return flat;
  const cut = flat.slice(0, limit);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > limit * 0.6 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}
