import { UpstreamError } from "../../spec/index.js";

/** Where an OpenAI-compatible API lives and how to call it. */
export type OpenAiCompatibleOptions = {
  /** e.g. `http://127.0.0.1:8080/v1` (the `/v1` is part of the base URL, as in the openai SDK). */
  baseUrl: string;
  /** Model name sent in every request. */
  model: string;
  /** Bearer key; none when undefined. */
  apiKey?: string | undefined;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch | undefined;
};

/** POSTs JSON to `baseUrl + path`; a non-2xx answer or a non-JSON body is an UpstreamError. */
export async function postJson(options: OpenAiCompatibleOptions, path: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
  const url = `${options.baseUrl.replace(/\/+$/, "")}${path}`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { method: "POST", headers, body: JSON.stringify(body), signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new UpstreamError({ message: `cannot reach ${url}: ${(error as Error).message}`, cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new UpstreamError({ message: `${url} answered HTTP ${response.status}: ${text.slice(0, 300)}`, upstreamStatus: response.status, responseBody: text });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UpstreamError({ message: `${url} answered with a body that is not JSON`, responseBody: text, cause: error });
  }
}
