import { z } from "zod";
import type { DatabaseExecutor } from "../../../../store/index.js";

const storedRequest = z.looseObject({ agent: z.looseObject({ id: z.string() }).nullish(), user: z.string().nullish() });
const storedMessage = z.looseObject({ role: z.string(), content: z.array(z.looseObject({ text: z.string().optional() })) });
/** Most recent responses of a key searched. */
const recentResponses = 500;

export type PastConversationScope = { agentId: string; keyId: string; userId: string; excludeResponseId?: string | undefined };

/**
 * Recall memory: the messages of past responses of one agent, key and user (never another key's or user's) that
 * contain a word of `query` (case-insensitive), newest first, as `role: text` lines.
 */
export async function searchPastConversations(database: DatabaseExecutor, scope: PastConversationScope, query: string, limit: number): Promise<string[]> {
  const rows = await database.db.selectFrom("responses").select(["id", "request"]).where("key_id", "=", scope.keyId).orderBy("created_at", "desc").limit(recentResponses).execute();
  const ids = rows
    .filter((row) => {
      if (row.id === scope.excludeResponseId) return false;
      const parsed = storedRequest.safeParse(safeJson(row.request));
      return parsed.success && parsed.data.agent?.id === scope.agentId && (parsed.data.user ?? "") === scope.userId;
    })
    .map((row) => row.id);
  if (ids.length === 0) return [];
  const order = new Map(ids.map((id, index) => [id, index]));
  const items = await database.db.selectFrom("response_items").select(["response_id", "position", "item"]).where("response_id", "in", ids).where("item_type", "=", "message").execute();
  items.sort((a, b) => (order.get(a.response_id) ?? 0) - (order.get(b.response_id) ?? 0) || a.position - b.position);
  const terms = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((term) => term.length > 0);
  const found: string[] = [];
  for (const row of items) {
    const parsed = storedMessage.safeParse(safeJson(row.item));
    if (!parsed.success) continue;
    const text = parsed.data.content.map((part) => part.text ?? "").join("");
    const lower = text.toLowerCase();
    if (terms.length > 0 && !terms.some((term) => lower.includes(term))) continue;
    found.push(`${parsed.data.role}: ${text.length > 1000 ? `${text.slice(0, 1000)}…` : text}`);
    if (found.length >= limit) break;
  }
  return found;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
