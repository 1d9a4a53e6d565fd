/** A minimal JSON client for aiplus routes outside the OpenAI surface (`/v1/evals`, `/v1/arena`). */
export type HttpReply<Body = any> = { status: number; body: Body; text: string; contentType: string };

export function httpClient(baseUrl: string, apiKey: string) {
  return async function request<Body = any>(method: string, path: string, body?: unknown): Promise<HttpReply<Body>> {
    const response = await fetch(`${baseUrl}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const contentType = response.headers.get("content-type") ?? "";
    let parsed: unknown = undefined;
    if (contentType.includes("json")) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as Body, text, contentType };
  };
}

export type HttpRequest = ReturnType<typeof httpClient>;

/** Polls `GET /v1/evals/{id}` until `done(run)` holds (no time assertions: the test's own timeout bounds it). */
export async function pollRun(request: HttpRequest, id: string, done: (run: any) => boolean, intervalMs = 150): Promise<any> {
  for (;;) {
    const reply = await request("GET", `/evals/${id}`);
    if (reply.status !== 200) throw new Error(`GET /evals/${id}: ${reply.status} ${reply.text}`);
    if (done(reply.body)) return reply.body;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
