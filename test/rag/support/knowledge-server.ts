import { expect } from "vitest";
import type { TestServer } from "../../support/api-server.js";

/** JSON call to the test server with a bearer key; returns status and parsed body. */
export async function callApi<Body = any>(server: TestServer, key: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${key}` } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const response = await fetch(`${server.url}${route}`, init);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Body };
}

/** Polls a knowledge-base job until it is finished; returns it. */
export async function waitForJob(server: TestServer, key: string, knowledgeBase: string, jobId: string): Promise<any> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { status, body } = await callApi(server, key, "GET", `/v1/knowledge-bases/${knowledgeBase}/jobs/${jobId}`);
    expect(status).toBe(200);
    if (["completed", "failed", "cancelled"].includes(body.status)) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${jobId} did not finish`);
}
