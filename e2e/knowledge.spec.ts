import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import type { ConsoleServer } from "./support/console-server.js";
import { testModelPath } from "./support/console-server.js";
import { chatModel, embeddingModel, expect, test } from "./support/fixtures.js";

type Job = { id: string; status: string; progress: { done: number; total: number } };

const unique = () => `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;

/** Picks `option` in the Mantine select labelled `label`. */
async function choose(page: Page, label: string, option: string) {
  const select = page.getByRole("combobox", { name: label, exact: true });
  await select.click();
  await page.getByRole("option", { name: option, exact: true }).click();
  await expect(select).toHaveValue(option);
}

/** Polls a knowledge-base job through the API until it is finished. */
async function waitForJob(server: ConsoleServer, knowledgeBase: string, jobId: string): Promise<Job> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const job = await server.request<Job>("GET", `/v1/knowledge-bases/${knowledgeBase}/jobs/${jobId}`);
    if (["completed", "failed", "cancelled"].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** A knowledge base made through the API with text documents, ingested. */
async function seededKnowledgeBase(server: ConsoleServer, documents: Array<{ name: string; text: string }>): Promise<string> {
  const name = `kb-${unique()}`;
  await server.request("POST", "/v1/knowledge-bases", { name, embedding_model: embeddingModel });
  const job = await server.request<Job>("POST", `/v1/knowledge-bases/${name}/documents`, { documents });
  expect((await waitForJob(server, name, job.id)).status).toBe("completed");
  return name;
}

const row = (page: Page, documentId: string) => page.getByTestId(`document-${documentId}`);

const handbook = [
  { name: "vacation.md", text: "# Vacation\n\nNew staff get 25 vacation days per year. Unused days carry over until March." },
  { name: "parking.md", text: "# Parking\n\nParking permits are issued by the facilities team. Bicycles park in the basement." },
  { name: "expenses.txt", text: "Travel expenses are reimbursed within 30 days. Keep every receipt for the accounting team." },
];

test("creates a knowledge base, uploads many files with per-file status that survives a reload, and a corrupt file fails with its reason", async ({ page, server, signIn, expectAccessible }) => {
  await signIn(undefined, "/console/knowledge");
  await expect(page.getByRole("heading", { name: "Knowledge bases", level: 1 })).toBeVisible();
  await expectAccessible();

  // Bad input: the API's error is shown at the form.
  await page.getByRole("textbox", { name: "Name" }).fill("bad name!");
  await choose(page, "Embedding model", embeddingModel);
  await page.getByRole("button", { name: "Create knowledge base" }).click();
  await expect(page.getByRole("alert")).toContainText("invalid knowledge base name");

  const name = `handbook-${unique()}`;
  await page.getByRole("textbox", { name: "Name" }).fill(name);
  await page.getByLabel("Chunk size (tokens)").fill("64");
  await page.getByRole("button", { name: "Create knowledge base" }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/console/knowledge/${name}$`));
  await expect(page.getByTestId("fact-embedding-model")).toHaveText(embeddingModel);
  await expect(page.getByTestId("fact-chunking")).toContainText("64 tokens");

  const corrupt = Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(600)]);
  await page.getByLabel("Files to upload").setInputFiles([
    ...handbook.map((document) => ({ name: document.name, mimeType: document.name.endsWith(".md") ? "text/markdown" : "text/plain", buffer: Buffer.from(document.text) })),
    { name: "scanned.pdf", mimeType: "application/pdf", buffer: corrupt },
  ]);
  await page.getByRole("button", { name: "Upload 4 files" }).click();
  for (const document of handbook) await expect(row(page, document.name).getByTestId("document-status")).toContainText("ready", { timeout: 60_000 });
  await expect(row(page, "scanned.pdf").getByTestId("document-status")).toContainText("failed", { timeout: 60_000 });
  await expect(row(page, "scanned.pdf").getByTestId("document-error")).toContainText(/Reason: .*pdf/i);
  await expect(row(page, "scanned.pdf").getByRole("button", { name: "Retry scanned.pdf" })).toBeVisible();
  await expect(page.getByTestId("fact-documents")).toHaveText("3");
  await expectAccessible();

  // The statuses come from the server: a reload shows the same.
  await page.reload();
  for (const document of handbook) await expect(row(page, document.name).getByTestId("document-status")).toContainText("ready");
  await expect(row(page, "scanned.pdf").getByTestId("document-error")).toContainText(/Reason: .*pdf/i);

  // Server-side status filter (shareable in the URL): only the failed upload.
  await choose(page, "Status", "Failed (1)");
  await expect(page).toHaveURL(/status=failed/);
  await expect(row(page, "scanned.pdf")).toBeVisible();
  await expect(row(page, "vacation.md")).toHaveCount(0);
  await expect(page.getByTestId("documents-range")).toHaveText("Documents 1–1 of 1");

  // A retry ingests the kept file again in a new job: it fails again, with its reason.
  const document = () => server.request<{ status: string; job_id: string }>("GET", `/v1/knowledge-bases/${name}/documents/scanned.pdf`);
  const firstJob = (await document()).job_id;
  await row(page, "scanned.pdf").getByRole("button", { name: "Retry scanned.pdf" }).click();
  await expect.poll(async () => { const current = await document(); return current.job_id !== firstJob && current.status; }, { timeout: 60_000 }).toBe("failed");
  await expect(row(page, "scanned.pdf").getByTestId("document-status")).toContainText("failed");
  await expect(row(page, "scanned.pdf").getByTestId("document-error")).toContainText(/pdf/i);

  // Back on the list, the new knowledge base shows its counts.
  await page.getByRole("link", { name: "← All knowledge bases" }).click();
  await expect(page.getByTestId(`knowledge-base-${name}`)).toContainText("ready");
  await expect(page.getByTestId(`knowledge-base-${name}`)).toContainText(embeddingModel);
});

test("the retrieval tester ranks passages with their scores; a deleted document's passages are gone; re-index shows its progress", async ({ page, server, signIn, expectAccessible }) => {
  const name = await seededKnowledgeBase(server, handbook);
  await signIn(undefined, `/console/knowledge/${name}?tab=retrieval`);
  await expect(page.getByRole("heading", { name: "Retrieval tester" })).toBeVisible();

  await page.getByLabel("Query").fill("parking permits for bicycles");
  await choose(page, "Mode", "Hybrid (lexical + vector)");
  await page.getByLabel("Top K").fill("3");
  await page.getByRole("button", { name: "Search" }).click();
  const passages = page.getByTestId("passage");
  await expect(passages.first()).toBeVisible();
  expect(await passages.count()).toBeLessThanOrEqual(3);
  await expect(passages.first().getByTestId("passage-document")).toHaveText("parking.md");
  await expect(passages.first().getByTestId("passage-where")).toHaveText("Parking");
  await expect(passages.first().getByTestId("score-lexical")).toHaveText(/^\d+\.\d{4}$/);
  await expect(passages.first().getByTestId("score-vector")).toHaveText(/^-?\d\.\d{4}$/);
  await expect(passages.first().getByTestId("score-hybrid")).toHaveText(/^0\.\d{4}$/);
  await expect(passages.first().getByTestId("passage-score")).toHaveText(`score ${await passages.first().getByTestId("score-hybrid").textContent()}`);
  await expect(passages.first().getByTestId("score-rerank")).toHaveText("—");

  // With a reranker every passage gets a rerank score (the final score), the hybrid score stays.
  await choose(page, "Rerank model", embeddingModel);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(passages.first().getByTestId("score-rerank")).toHaveText(/^-?\d\.\d{4}$/);
  for (const passage of await passages.all()) {
    const rerank = await passage.getByTestId("score-rerank").textContent();
    await expect(passage.getByTestId("passage-score")).toHaveText(`score ${rerank}`);
    await expect(passage.getByTestId("score-hybrid")).toHaveText(/^0\.\d{4}$/);
  }
  await expectAccessible();

  // Bad input: a chat model cannot rerank; the API's error shows where the query was made.
  await choose(page, "Rerank model", chatModel);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("alert")).toContainText("The query failed");

  // Delete a document (confirmed): its passages no longer come back.
  await page.getByRole("tab", { name: "Documents" }).click();
  await row(page, "parking.md").getByRole("button", { name: "Delete parking.md" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete document" });
  await expect(dialog).toContainText("Delete parking.md?");
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "parking.md")).toHaveCount(0);
  await expect(page.getByTestId("fact-documents")).toHaveText("2");
  await page.getByRole("tab", { name: "Retrieval tester" }).click();
  await page.getByLabel("Query").fill("parking permits for bicycles");
  await choose(page, "Mode", "Lexical (BM25)");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("passage-count")).toBeVisible();
  expect(await page.getByTestId("passage-document").allTextContents()).not.toContain("parking.md");
  const direct = await server.request<{ data: Array<{ document: string }> }>("POST", `/v1/knowledge-bases/${name}/query`, { query: "parking permits bicycles", mode: "hybrid", top_k: 50 });
  expect(direct.data.map((passage) => passage.document)).not.toContain("parking.md");

  // Re-index with another embedding model (the same tiny file under another name), progress to completion.
  const nextModel = `bert-${unique()}`;
  await server.request("POST", "/v1/admin/models", { path: testModelPath("tiny-bert-random.gguf"), name: nextModel });
  await page.getByRole("tab", { name: "Re-index" }).click();
  await choose(page, "New embedding model", nextModel);
  await page.getByRole("button", { name: "Start re-index" }).click();
  const reindexJobs = page.getByRole("region", { name: "Re-index jobs" });
  await expect(reindexJobs.getByTestId("job-status")).toHaveText("completed", { timeout: 60_000 });
  await expect(reindexJobs.getByTestId("job-progress")).toHaveText("2 / 2 documents re-indexed");
  await expect(reindexJobs.getByRole("progressbar", { name: "Re-index job progress" })).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("fact-embedding-model")).toHaveText(nextModel);
  await expectAccessible();

  // The job comes from the server: leaving and coming back shows it again.
  await page.getByRole("link", { name: "← All knowledge bases" }).click();
  await expect(page.getByTestId(`knowledge-base-${name}`)).toContainText(nextModel);
  await page.getByRole("link", { name, exact: true }).click();
  await page.getByRole("tab", { name: "Re-index" }).click();
  await expect(page.getByRole("region", { name: "Re-index jobs" }).getByTestId("job-progress")).toHaveText("2 / 2 documents re-indexed");
  const hybrid = await server.request<{ data: Array<{ document: string; vector_similarity: number | null }> }>("POST", `/v1/knowledge-bases/${name}/query`, { query: "vacation days", mode: "vector" });
  expect(hybrid.data.length).toBe(2);
});

test("an admin grants a user key the knowledge base: that key sees it, another user key does not; revoking ends it", async ({ page, server, signIn, expectAccessible }) => {
  const name = await seededKnowledgeBase(server, handbook.slice(0, 2));
  const granted = await server.request<{ id: string; key: string }>("POST", "/v1/admin/keys", { name: `granted-${unique()}` });
  const other = await server.request<{ id: string; key: string }>("POST", "/v1/admin/keys", { name: `other-${unique()}` });

  await signIn(undefined, `/console/knowledge/${name}?tab=access`);
  await expect(page.getByText("No key has been granted this knowledge base.")).toBeVisible();
  await page.getByLabel("API key id or prefix").fill("no-such-key");
  await page.getByRole("button", { name: "Grant" }).click();
  await expect(page.getByRole("alert")).toContainText("Could not grant");
  await page.getByLabel("API key id or prefix").fill(granted.id);
  await page.getByRole("button", { name: "Grant" }).click();
  await expect(page.getByRole("list", { name: "Granted keys" })).toContainText(granted.id);
  await expectAccessible();
  await page.getByRole("button", { name: "Sign out" }).click();

  // The granted key sees it in its list and may use it, but not manage it.
  await signIn(granted.key, "/console/knowledge");
  const listed = page.getByTestId(`knowledge-base-${name}`);
  await expect(listed).toContainText("granted to you");
  await expect(listed.getByRole("button", { name: `Delete knowledge base ${name}` })).toHaveCount(0);
  await listed.getByRole("link", { name }).click();
  await expect(row(page, "vacation.md").getByTestId("document-status")).toContainText("ready");
  await expect(page.getByRole("tab", { name: "Re-index" })).toHaveCount(0);
  await expect(page.getByRole("tab", { name: "Access" })).toHaveCount(0);
  await page.getByRole("tab", { name: "Retrieval tester" }).click();
  await page.getByLabel("Query").fill("vacation days");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("passage-document").first()).toHaveText("vacation.md");
  await expectAccessible();
  await page.getByRole("button", { name: "Sign out" }).click();

  // Another user key neither lists it nor opens it.
  await signIn(other.key, "/console/knowledge");
  await expect(page.getByRole("heading", { name: "Knowledge bases", level: 1 })).toBeVisible();
  await expect(page.getByTestId(`knowledge-base-${name}`)).toHaveCount(0);
  await page.goto(`/console/knowledge/${name}`);
  await expect(page.getByRole("alert")).toContainText("may not use knowledge base");
  await page.getByRole("button", { name: "Sign out" }).click();

  // Revoking from the console ends the grant.
  await signIn(undefined, `/console/knowledge/${name}?tab=access`);
  await page.getByRole("button", { name: `Revoke key ${granted.id}` }).click();
  await expect(page.getByText("No key has been granted this knowledge base.")).toBeVisible();
  const refused = await fetch(new URL(`/v1/knowledge-bases/${name}`, server.url), { headers: { authorization: `Bearer ${granted.key}` } });
  expect(refused.status).toBe(403);
});

test("a knowledge base is deleted after confirmation, and a phone-sized dark screen stays usable", async ({ page, server, signIn, expectAccessible }) => {
  const name = await seededKnowledgeBase(server, handbook.slice(2));
  await signIn(undefined, "/console/knowledge");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("button", { name: "Switch to the dark theme" }).click();
  await page.getByTestId(`knowledge-base-${name}`).getByRole("button", { name: `Delete knowledge base ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: "Delete knowledge base" });
  await expect(dialog).toContainText(`Delete ${name} with its 1 document and`);
  await expectAccessible();
  await dialog.getByRole("button", { name: "Keep it" }).click();
  await expect(page.getByTestId(`knowledge-base-${name}`)).toBeVisible();
  await page.getByTestId(`knowledge-base-${name}`).getByRole("button", { name: `Delete knowledge base ${name}` }).click();
  await page.getByRole("dialog", { name: "Delete knowledge base" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId(`knowledge-base-${name}`)).toHaveCount(0);
  const gone = await fetch(new URL(`/v1/knowledge-bases/${name}`, server.url), { headers: { authorization: `Bearer ${server.adminKey}` } });
  expect(gone.status).toBe(404);
  await page.goto(`/console/knowledge/${await seededKnowledgeBase(server, handbook.slice(0, 1))}`);
  await expect(row(page, "vacation.md").getByTestId("document-status")).toContainText("ready");
  await expectAccessible();
});

test("cancels a queued document and a running upload job; their files are kept, so a retry brings them in", async ({ page, server, signIn, expectAccessible }) => {
  test.setTimeout(300_000);
  const name = `kb-${unique()}`;
  await server.request("POST", "/v1/knowledge-bases", { name, embedding_model: embeddingModel });
  // Thousands of chunks keep the job busy long enough to act on the documents behind the first one.
  const long = (word: string) => Array.from({ length: 24_000 }, (_, index) => `Paragraph ${index} of the ${word} archive lists shelf ${index % 97}.`).join("\n\n");
  await signIn(undefined, `/console/knowledge/${name}`);
  await page.getByLabel("Files to upload").setInputFiles([
    { name: "archive.md", mimeType: "text/markdown", buffer: Buffer.from(long("harbour")) },
    { name: "note.md", mimeType: "text/markdown", buffer: Buffer.from("# Note\n\nThe note says the canteen opens at noon.") },
  ]);
  await page.getByRole("button", { name: "Upload 2 files" }).click();
  await expect(row(page, "archive.md").getByTestId("document-status")).toContainText("embedding", { timeout: 60_000 });
  await expect(row(page, "note.md").getByTestId("document-status")).toContainText("queued");
  await row(page, "note.md").getByRole("button", { name: "Cancel note.md" }).click();
  await expect(row(page, "note.md").getByTestId("document-status")).toContainText("cancelled");
  await expect(row(page, "note.md").getByRole("button", { name: "Retry note.md" })).toBeVisible();
  await expectAccessible();
  // The other document goes on (in a new job) to ready; the cancelled one is not in the index.
  await expect(row(page, "archive.md").getByTestId("document-status")).toContainText("ready", { timeout: 180_000 });
  await expect(row(page, "note.md").getByTestId("document-status")).toContainText("cancelled");
  const before = await server.request<{ data: Array<{ document: string }> }>("POST", `/v1/knowledge-bases/${name}/query`, { query: "canteen noon", mode: "lexical" });
  expect(before.data.map((passage) => passage.document)).not.toContain("note.md");
  await row(page, "note.md").getByRole("button", { name: "Retry note.md" }).click();
  await expect(row(page, "note.md").getByTestId("document-status")).toContainText("ready", { timeout: 60_000 });
  const after = await server.request<{ data: Array<{ document: string }> }>("POST", `/v1/knowledge-bases/${name}/query`, { query: "canteen noon", mode: "lexical" });
  expect(after.data[0]?.document).toBe("note.md");

  // Cancelling the whole upload job: its unfinished document becomes cancelled (and retryable).
  await page.getByLabel("Files to upload").setInputFiles([{ name: "ledger.md", mimeType: "text/markdown", buffer: Buffer.from(long("ledger")) }]);
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  const jobs = page.getByRole("region", { name: "Upload jobs" });
  await expect(jobs.getByTestId("job-status")).toHaveText("running", { timeout: 60_000 });
  await jobs.getByRole("button", { name: "Cancel upload job" }).click();
  await expect(row(page, "ledger.md").getByTestId("document-status")).toContainText("cancelled");
  await expect(row(page, "ledger.md").getByRole("button", { name: "Retry ledger.md" })).toBeVisible();
  await expect(jobs).toHaveCount(0);
  await expect(page.getByTestId("fact-documents")).toHaveText("2");
});
