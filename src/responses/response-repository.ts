import { affectedRows, type DatabaseExecutor } from "../store/index.js";
import { InvalidRequestError } from "../spec/index.js";
import { parseJsonColumn, storedItemSchema, storedResponseSchema } from "./stored-schemas.js";
import type { ResponseItem, ResponseObject, ResponseParameters } from "./types.js";

/** A page of a response's input items. */
export type ItemPage = { items: ResponseItem[]; hasMore: boolean };

export type ItemPageQuery = {
  /** An item id: list the items after it in `order`. */
  after?: string | undefined;
  limit: number;
  order: "asc" | "desc";
};

export type ResponseRepositoryOptions = {
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
  /** Most ancestors followed through `previous_response_id`. Defaults to 1000. */
  maxChainLength?: number | undefined;
};

/** Responses (runs) and their ordered items; every read is scoped to the API key that created the response. */
export type ResponseRepository = ReturnType<typeof createResponseRepository>;

export function createResponseRepository(database: DatabaseExecutor, options: ResponseRepositoryOptions = {}) {
  const now = options.now ?? Date.now;
  const maxChainLength = options.maxChainLength ?? 1000;

  async function ownedRow(id: string, keyId: string) {
    return database.db.selectFrom("responses").selectAll().where("id", "=", id).where("key_id", "=", keyId).executeTakeFirst();
  }

  async function itemsOf(responseId: string): Promise<ResponseItem[]> {
    const rows = await database.db.selectFrom("response_items").select("item").where("response_id", "=", responseId).orderBy("position").execute();
    return rows.map((row) => parseJsonColumn(row.item, storedItemSchema, "response_items.item"));
  }

  return {
    /** Records a started response (its status as built, usually in_progress) and its input items, in one transaction. */
    async create(entry: { response: ResponseObject; keyId: string; parameters: ResponseParameters; inputItems: ResponseItem[] }): Promise<void> {
      const at = now();
      await database.db.transaction().execute(async (transaction) => {
        await transaction
          .insertInto("responses")
          .values({
            id: entry.response.id,
            key_id: entry.keyId,
            model: entry.response.model,
            status: entry.response.status,
            background: entry.response.background ? 1 : 0,
            previous_response_id: entry.response.previous_response_id,
            request: JSON.stringify(entry.parameters),
            response: JSON.stringify(entry.response),
            error: null,
            input_tokens: null,
            output_tokens: null,
            created_at: at,
            updated_at: at,
            completed_at: null,
          })
          .execute();
        if (entry.inputItems.length === 0) return;
        await transaction
          .insertInto("response_items")
          .values(entry.inputItems.map((item, position) => ({ response_id: entry.response.id, position, kind: "input", item_id: item.id, item_type: item.type, item: JSON.stringify(item), created_at: at })))
          .execute();
      });
    },

    /** Records a response's final state and appends its output items after its input items, in one transaction. */
    async finish(response: ResponseObject): Promise<void> {
      const at = now();
      await database.db.transaction().execute(async (transaction) => {
        const last = await transaction.selectFrom("response_items").select((expression) => expression.fn.max("position").as("position")).where("response_id", "=", response.id).executeTakeFirst();
        const start = last?.position === null || last?.position === undefined ? 0 : Number(last.position) + 1;
        if (response.output.length > 0) {
          await transaction
            .insertInto("response_items")
            .values(response.output.map((item, index) => ({ response_id: response.id, position: start + index, kind: "output", item_id: item.id, item_type: item.type, item: JSON.stringify(item), created_at: at })))
            .execute();
        }
        await transaction
          .updateTable("responses")
          .set({
            status: response.status,
            response: JSON.stringify(response),
            error: response.error ? JSON.stringify(response.error) : null,
            input_tokens: response.usage?.input_tokens ?? null,
            output_tokens: response.usage?.output_tokens ?? null,
            updated_at: at,
            completed_at: response.completed_at === null ? null : at,
          })
          .where("id", "=", response.id)
          .execute();
      });
    },

    /** The response as last recorded, when `keyId` created it. */
    async get(id: string, keyId: string): Promise<ResponseObject | undefined> {
      const row = await ownedRow(id, keyId);
      return row ? parseJsonColumn(row.response, storedResponseSchema, "responses.response") : undefined;
    },

    /** Deletes a response and its items; false when `keyId` has no such response. */
    async remove(id: string, keyId: string): Promise<boolean> {
      return database.db.transaction().execute(async (transaction) => {
        const owned = await transaction.selectFrom("responses").select("id").where("id", "=", id).where("key_id", "=", keyId).executeTakeFirst();
        if (!owned) return false;
        await transaction.deleteFrom("response_items").where("response_id", "=", id).execute();
        const result = await transaction.deleteFrom("responses").where("id", "=", id).executeTakeFirst();
        return affectedRows(result) > 0;
      });
    },

    /** A page of a response's input items; undefined when `keyId` has no such response. */
    async listInputItems(id: string, keyId: string, query: ItemPageQuery): Promise<ItemPage | undefined> {
      if (!(await ownedRow(id, keyId))) return undefined;
      const inputs = database.db.selectFrom("response_items").where("response_id", "=", id).where("kind", "=", "input");
      let page = inputs.select("item");
      if (query.after !== undefined) {
        const anchor = await inputs.select("position").where("item_id", "=", query.after).orderBy("position").executeTakeFirst();
        if (!anchor) throw new InvalidRequestError({ message: `No input item with id '${query.after}' in response '${id}'.`, param: "after" });
        page = page.where("position", query.order === "asc" ? ">" : "<", anchor.position);
      }
      const rows = await page.orderBy("position", query.order).limit(query.limit + 1).execute();
      const items = rows.slice(0, query.limit).map((row) => parseJsonColumn(row.item, storedItemSchema, "response_items.item"));
      return { items, hasMore: rows.length > query.limit };
    },

    /**
     * The conversation a response continues: the items of it and of every ancestor through `previous_response_id`
     * (each response's input then output), oldest first; undefined when `keyId` has no such response. An ancestor
     * that was deleted ends the chain.
     */
    async conversation(id: string, keyId: string): Promise<ResponseItem[] | undefined> {
      const chain: ResponseItem[][] = [];
      let next: string | null = id;
      while (next !== null && chain.length < maxChainLength) {
        const row = await ownedRow(next, keyId);
        if (!row) {
          if (chain.length === 0) return undefined;
          break;
        }
        chain.push(await itemsOf(row.id));
        next = row.previous_response_id;
      }
      return chain.reverse().flat();
    },
  };
}
