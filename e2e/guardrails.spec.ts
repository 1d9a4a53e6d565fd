import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures.js";

type AuditEntryView = { id: number; kind: string; key_id: string | null; rule: string; action: string; entity_type: string | null; target: string | null; value_hmac: string | null };

/**
 * A fake OpenAI-compatible upstream that records every request body it receives and answers with the last user
 * message's text echoed back (so a placeholder the gateway sent comes back and is unmasked for the caller).
 */
async function startRecordingUpstream(): Promise<{ baseUrl: string; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const server = http.createServer((request, response) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => {
      received.push(text);
      const body = JSON.parse(text || "{}") as { model?: string; stream?: boolean; messages?: Array<{ role: string; content: unknown }> };
      const last = body.messages?.filter((message) => message.role === "user").at(-1);
      const content = `You said: ${typeof last?.content === "string" ? last.content : JSON.stringify(last?.content ?? "")}`;
      if (body.stream) {
        const chunk = (delta: object, finish: string | null) => ({ id: "fake-1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] });
        const usage = { id: "fake-1", object: "chat.completion.chunk", created: 1, model: body.model, choices: [], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } };
        response.writeHead(200, { "content-type": "text/event-stream" });
        for (const event of [chunk({ role: "assistant", content }, null), chunk({}, "stop"), usage]) response.write(`data: ${JSON.stringify(event)}\n\n`);
        response.end("data: [DONE]\n\n");
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          id: "fake-1",
          object: "chat.completion",
          created: 1,
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
          usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const policyRow = (page: Page, name: string) => page.getByRole("table", { name: "Policies" }).getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });

async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole("combobox", { name: label, exact: true }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

test("policies: create `pii: mask`, bad YAML shows the API's error, a new version appears, delete with confirmation; admin actions are audited", async ({ page, server, signIn, expectAccessible, allowFailure }) => {
  allowFailure(/\/v1\/admin\/policies/);
  const name = `mask-${Date.now().toString(36)}`;
  await signIn(undefined, "/console/guardrails");
  await expect(page.getByRole("heading", { name: "Guardrails", level: 1 })).toBeVisible();
  await expectAccessible();

  // Create: the shortest policy.
  await page.getByRole("button", { name: "New policy" }).click();
  const form = page.getByRole("dialog", { name: "New policy" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Policy (YAML or JSON)").fill("pii: mask\n");
  await expectAccessible();
  await form.getByRole("button", { name: "Save policy" }).click();
  await expect(form).toBeHidden();
  await expect(policyRow(page, name)).toContainText("v1 (1 version)");

  // Bad input: the API's message with the field it names, and nothing saved.
  await page.getByRole("button", { name: `Edit ${name}` }).click();
  const edit = page.getByRole("dialog", { name: `Edit policy ${name}` });
  await expect(edit.getByLabel("Policy (YAML or JSON)")).toHaveValue("pii: mask\n");
  await edit.getByLabel("Policy (YAML or JSON)").fill("pii:\n  EMAIL_ADDRESS: shred\n");
  await edit.getByRole("button", { name: "Save policy" }).click();
  await expect(edit.getByRole("alert")).toContainText("The policy was not saved");
  await expect(edit.getByRole("alert")).toContainText("(policy.pii.EMAIL_ADDRESS)");
  await expectAccessible();
  await edit.getByLabel("Policy (YAML or JSON)").fill("pii: [mask\n");
  await edit.getByRole("button", { name: "Save policy" }).click();
  await expect(edit.getByRole("alert")).toContainText("(policy)");
  expect((await server.request<{ version: number }>("GET", `/v1/admin/policies/${name}`)).version).toBe(1);

  // A valid edit is the next version; the versions dialog shows both texts.
  await edit.getByLabel("Policy (YAML or JSON)").fill("pii:\n  default: mask\n  EMAIL_ADDRESS: redact\n");
  await edit.getByRole("button", { name: "Save policy" }).click();
  await expect(edit).toBeHidden();
  await expect(policyRow(page, name)).toContainText("v2 (2 versions)");
  await page.getByRole("button", { name: `Versions of ${name}` }).click();
  const versions = page.getByRole("dialog", { name: `Versions of ${name}` });
  await expect(versions.getByTestId("policy-version-meta")).toContainText("Version 2 (current)");
  await expect(versions.getByLabel(`Policy ${name} version 2`)).toContainText("EMAIL_ADDRESS: redact");
  await choose(page, "Version", "1");
  await expect(versions.getByTestId("policy-version-meta")).toContainText("Version 1,");
  await expect(versions.getByLabel(`Policy ${name} version 1`)).toHaveText("pii: mask");
  await expect(versions).toContainText("No key uses this policy.");
  await expectAccessible();
  await page.keyboard.press("Escape");

  // The audit tab lists the admin actions just made (newest first).
  await page.getByRole("tab", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/tab=audit/);
  await choose(page, "Kind", "Admin actions");
  // Newest first: the second version, the two refused saves (each audited before it runs, then as failed), the first.
  const rules = page.getByTestId("audit-row").locator("td:nth-child(4)");
  await expect(rules.first()).toHaveText("policies.set");
  expect((await rules.allInnerTexts()).slice(0, 6)).toEqual(["policies.set", "policies.set.failed", "policies.set", "policies.set.failed", "policies.set", "policies.set"]);
  await expectAccessible();

  // Delete with confirmation; the list updates and the deletion is audited.
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByRole("button", { name: `Delete ${name}` }).click();
  const confirm = page.getByRole("dialog", { name: `Delete policy ${name}?` });
  await expectAccessible();
  await confirm.getByRole("button", { name: "Delete policy" }).click();
  await expect(confirm).toBeHidden();
  await expect(policyRow(page, name)).toHaveCount(0);
  await expect(server.request("GET", `/v1/admin/policies/${name}`)).rejects.toThrow(/404/);
  await page.getByRole("tab", { name: "Audit log" }).click();
  await expect(page.getByTestId("audit-row").filter({ hasText: name }).filter({ hasText: "policies.delete" })).toHaveCount(1);
});

test("a key's policy set on the keys screen masks an e-mail before the upstream sees it; the decision is in the audit log and its export", async ({ page, server, signIn, expectAccessible }) => {
  const suffix = Date.now().toString(36);
  const policy = `pii-${suffix}`;
  const provider = `fake-${suffix}`;
  const email = `jane.${suffix}@example.com`;
  const upstream = await startRecordingUpstream();
  try {
    await server.request("POST", "/v1/admin/policies", { name: policy, policy: "pii: mask" });
    await server.request("POST", "/v1/admin/providers", { name: provider, base_url: upstream.baseUrl, models: [provider] });
    const created = await server.request<{ id: string; key: string }>("POST", "/v1/admin/keys", { name: `guarded ${suffix}` });

    // Attach the policy in the keys screen's edit form.
    await signIn(undefined, `/console/keys?search=${encodeURIComponent(`guarded ${suffix}`)}`);
    await page.getByRole("button", { name: `Edit guarded ${suffix}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("combobox", { name: "Guardrail policy", exact: true }).click();
    await page.getByRole("option", { name: policy, exact: true }).click();
    await dialog.getByRole("button", { name: /Save/ }).click();
    await expect(dialog).toBeHidden();
    expect((await server.request<{ policy: string | null }>("GET", `/v1/admin/keys/${created.id}`)).policy).toBe(policy);

    // A chat with an e-mail address: the upstream gets a placeholder, the caller the unmasked answer.
    const response = await fetch(new URL("/v1/chat/completions", server.url), {
      method: "POST",
      headers: { authorization: `Bearer ${created.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: provider, messages: [{ role: "user", content: `Write to ${email} today` }] }),
    });
    const answerText = await response.text();
    expect(response.status, answerText).toBe(200);
    const answer = JSON.parse(answerText) as { choices: Array<{ message: { content: string } }> };
    expect(answer.choices[0]!.message.content).toBe(`You said: Write to ${email} today`);
    expect(upstream.received).toHaveLength(1);
    expect(upstream.received[0]).not.toContain(email);
    expect(upstream.received[0]).toContain("[EMAIL_1]");

    // The decision in the audit tab, filtered to the key and to guardrail decisions.
    await page.goto(`/console/guardrails?tab=audit&kind=guardrail&key=${created.id}`);
    const decision = page.getByTestId("audit-row").filter({ hasText: "pii.EMAIL_ADDRESS" });
    await expect(decision).toHaveCount(1);
    await expect(decision).toContainText("mask");
    await expect(decision).toContainText(created.id);
    await expect(decision).toContainText(policy);
    await expect(page.getByTestId("audit-count")).toHaveText("Page 1: 1 entry");
    await expect(page.getByRole("main")).not.toContainText(email);
    await expectAccessible();

    // Export the current filter: the same entry, never the value.
    const [json] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
    expect(json.suggestedFilename()).toBe("aiplus-audit.json");
    const exported = JSON.parse(await readFile((await json.path()), "utf8")) as AuditEntryView[];
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ kind: "guardrail", key_id: created.id, rule: "pii.EMAIL_ADDRESS", action: "mask", entity_type: "EMAIL_ADDRESS" });
    expect(exported[0]!.value_hmac).toMatch(/^[0-9a-f]{16,}$/);
    const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csvText = await readFile((await csv.path()), "utf8");
    expect(csvText.split("\r\n")[0]).toBe("id,kind,created_at,key_id,actor,endpoint,model,route,policy,rule,action,entity_type,positions,value_hmac,target,details");
    expect(csvText.trim().split("\r\n")).toHaveLength(2);
    expect(csvText).toContain(`,${created.id},`);
    expect(csvText).not.toContain(email);
  } finally {
    await server.request("DELETE", `/v1/admin/providers/${provider}`).catch(() => undefined);
    await upstream.close();
  }
});

test("the audit log pages on the server: newer and older pages, filters reset to the first page", async ({ page, server, signIn }) => {
  const suffix = Date.now().toString(36);
  for (let index = 0; index < 30; index += 1) await server.request("POST", "/v1/admin/policies", { name: `page-${suffix}`, policy: index % 2 === 0 ? "pii: mask" : "pii: redact" });
  const newest = await server.request<{ data: AuditEntryView[] }>("GET", "/v1/admin/audit?kind=admin&limit=26");
  await signIn(undefined, "/console/guardrails?tab=audit&kind=admin");
  await expect(page.getByTestId("audit-count")).toHaveText("Page 1: 25 entries, more older");
  await expect(page.getByTestId("audit-row")).toHaveCount(25);
  await expect(page.getByRole("button", { name: "Newer" })).toBeDisabled();
  await page.getByRole("button", { name: "Older" }).click();
  await expect(page.getByTestId("audit-count")).toContainText("Page 2:");
  // Page 2 starts right after page 1: the 26th newest admin entry (entries only get added at the top).
  await expect(page.getByTestId("audit-row").first()).toContainText(newest.data[25]!.rule);
  await page.getByRole("button", { name: "Newer" }).click();
  await expect(page.getByTestId("audit-count")).toContainText("Page 1:");
  await page.getByRole("button", { name: "Older" }).click();
  await choose(page, "Entries per page", "50");
  const first50 = await server.request<{ data: AuditEntryView[] }>("GET", "/v1/admin/audit?kind=admin&limit=50");
  await expect(page.getByTestId("audit-count")).toContainText(`Page 1: ${first50.data.length} entries`);
  await expect(page.getByTestId("audit-row")).toHaveCount(first50.data.length);
  await server.request("DELETE", `/v1/admin/policies/page-${suffix}`);
});

test("a user key cannot see the guardrails screen", async ({ page, server, signIn, expectAccessible, allowFailure }) => {
  allowFailure(/\/v1\/admin\//);
  const user = await server.request<{ key: string }>("POST", "/v1/admin/keys", { name: `guard user ${Date.now()}` });
  await signIn(user.key, "/console/guardrails");
  await expect(page.getByRole("heading", { name: "Guardrails", level: 1 })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("Only an admin key can manage guardrail policies");
  await expect(page.getByRole("link", { name: "Guardrails" })).toHaveCount(0);
  await expect(page.getByRole("table")).toHaveCount(0);
  await expect(fetch(new URL("/v1/admin/audit", server.url), { headers: { authorization: `Bearer ${user.key}` } }).then((response) => response.status)).resolves.toBe(403);
  await expectAccessible();
});
