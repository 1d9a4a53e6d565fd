import { EventSourceParserStream } from "eventsource-parser/stream";

/** An error answer of the aiplus API (OpenAI's error JSON), or a network failure (`status` 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly type: string | undefined;

  constructor({ status, message, code, param, type }: { status: number; message: string; code?: string | undefined; param?: string | undefined; type?: string | undefined }) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.param = param;
    this.type = type;
  }
}

/**
 * The session's CSRF token, held in memory only (never in web storage): every state-changing request sends it in
 * `x-csrf-token`. The API key itself never reaches the browser's storage; the session is an HttpOnly cookie.
 */
let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export type RequestOptions = {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** JSON-serialised unless it is FormData (multipart uploads) or a Blob/File (sent as is, with its own type). */
  body?: unknown;
  signal?: AbortSignal | undefined;
  query?: Record<string, string | number | boolean | undefined | null>;
};

export function apiUrl(path: string, query?: RequestOptions["query"]): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") parameters.set(name, String(value));
  }
  const search = parameters.toString();
  return search === "" ? path : `${path}?${search}`;
}

function requestInit({ method = "GET", body, signal }: RequestOptions): RequestInit {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET" && csrfToken !== undefined) headers["x-csrf-token"] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body instanceof Blob) {
    if (body.type !== "") headers["content-type"] = body.type;
    payload = body;
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  return { method, headers, body: payload, signal: signal ?? null, credentials: "same-origin" };
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; code?: string | null; param?: string | null; type?: string } };
    if (parsed.error?.message) {
      return new ApiError({
        status: response.status,
        message: parsed.error.message,
        code: parsed.error.code ?? undefined,
        param: parsed.error.param ?? undefined,
        type: parsed.error.type,
      });
    }
  } catch {
    // not JSON: fall through to the status line
  }
  return new ApiError({ status: response.status, message: text.trim() || `HTTP ${response.status} ${response.statusText}` });
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), requestInit(options));
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError({ status: 0, message: `The server could not be reached (${error instanceof Error ? error.message : String(error)}).` });
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

/** A JSON request to the aiplus API with the session cookie; throws {@link ApiError} for an error answer. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A text answer (CSV exports). */
export async function apiText(path: string, options: RequestOptions = {}): Promise<string> {
  return (await send(path, options)).text();
}

export type ServerSentEvent = { event: string | undefined; data: string; id: string | undefined };

/**
 * Server-sent events from a POST (chat completions, responses, arena battles): yields each event as it arrives.
 * Aborting `signal` closes the connection, which makes the server stop generating and free the sequence.
 */
export async function* streamEvents(path: string, options: RequestOptions): AsyncGenerator<ServerSentEvent> {
  const response = await send(path, { ...options, method: options.method ?? "POST" });
  if (!response.body) throw new ApiError({ status: response.status, message: "The server answered without a body." });
  const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const reader = events.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield { event: value.event, data: value.data, id: value.id };
    }
  } finally {
    reader.releaseLock();
  }
}

/** A message for people from any error a request can throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.param ? `${error.message} (${error.param})` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
