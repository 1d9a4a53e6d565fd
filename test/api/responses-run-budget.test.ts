import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { afterAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";

// Two background runs of one key share its budget: each model call of a run reserves from the same counters, so the
// runs together never spend more than the budget, and a run that cannot reserve its next call ends with the reason.
let server: TestServer | undefined;
let upstream: ScriptedUpstream | undefined;
afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

type RunView = OpenAIResponse & { run_status?: string };
type LedgerRow = { id: string; status: string; cost: number };
type KeyView = { budget: number; spent: number; reserved: number };
const model = "remote-model";

describe("two concurrent runs on one budget", () => {
  it("never spend more than the budget together; both end failed with budget_exceeded, the ledger sums within it", async () => {
    upstream = await ScriptedUpstream.start();
    // A model that never stops calling the tool: each run alone would spend the whole budget (64 tool calls).
    upstream.on((request) => (request.tools ?? []).length > 0, { toolCall: { name: "calculator", arguments: { expression: "1+1" } } });
    server = await startTestServer();
    await server.admin.post("/admin/providers", { body: { name: "scripted", base_url: upstream.baseUrl, api_key: "sk-up", models: [model], priority: 1 } });
    // $0.001 per input token, output free: a call costs $0.01 (the upstream reports 10 input tokens) and reserves its
    // estimated prompt (about $0.3, growing with the conversation); a run alone would spend $0.65 in 65 calls.
    await server.admin.put(`/admin/prices/${model}`, { body: { input_per_million: 1000, output_per_million: 0 } });
    const budget = 0.6;
    const key = await server.createKey({ name: "shared-budget", budget });
    const client = server.client(key.key);
    const calculator = [{ type: "server_tool", name: "calculator" } as never];
    const started = await Promise.all([0, 1].map(() => client.responses.create({ model, input: "Add forever", tools: calculator, tool_choice: "required", background: true })));

    const ended: RunView[] = [];
    for (const run of started) {
      let view = (await client.responses.retrieve(run.id)) as RunView;
      for (let attempt = 0; attempt < 1200 && (view.status === "queued" || view.status === "in_progress"); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        view = (await client.responses.retrieve(run.id));
      }
      ended.push(view);
    }
    for (const view of ended) {
      expect(view.status).toBe("failed");
      expect(view.error?.code).toBe("budget_exceeded");
      // The run made progress before the budget stopped it.
      expect(view.output.filter((item) => item.type === "mcp_call").length).toBeGreaterThan(0);
    }

    const rows = (await server.admin.get<{ data: LedgerRow[] }>("/admin/usage/records", { query: { key_id: key.id } })).data;
    const keyView = await server.admin.get<KeyView>(`/admin/keys/${key.id}`);
    expect(rows.filter((row) => row.status === "pending")).toEqual([]);
    expect(rows.length).toBe(upstream.requests.length);
    const ledgerSum = rows.reduce((total, row) => total + row.cost, 0);
    expect(ledgerSum).toBeLessThanOrEqual(budget + 1e-9);
    expect(keyView.spent).toBeLessThanOrEqual(budget + 1e-9);
    expect(keyView.spent).toBeCloseTo(ledgerSum, 9);
    expect(keyView.reserved).toBe(0);
    expect(upstream.rejected).toEqual([]);
  });
});
