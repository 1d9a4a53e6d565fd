import type { UsageRecord } from "../../src/store/index.js";
import type { TestServer } from "../support/api-server.js";

/** The ledger rows with endpoint `responses` that appeared since the last call (one helper per server). */
export function newResponsesLedgerRows(server: TestServer): () => Promise<UsageRecord[]> {
  const seen = new Set<string>();
  return async () => {
    const records = await server.platform.maas.usage.list({ limit: 10_000 });
    const fresh = records.filter((record) => record.endpoint === "responses" && !seen.has(record.id));
    for (const record of fresh) seen.add(record.id);
    return fresh;
  };
}

type ErrorJson = { message: string; type: string; param: string | null; code: string | null };

/** A raw POST /v1/responses with a key; resolves to the status and JSON body. */
export async function postResponses(server: TestServer, body: unknown, key = server.adminKey): Promise<{ status: number; json: { error: ErrorJson } }> {
  const response = await fetch(`${server.url}/v1/responses`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { error: ErrorJson } };
}
