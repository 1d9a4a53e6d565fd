/**
 * Vision on the native engine: a model registered with a projector (stories260K + tiny-mmproj-random.gguf) answers chat
 * messages with `image_url` parts through a real llama-server worker (`--mmproj`), counting image tokens in usage; every
 * bad input is a 400 naming its param. Fails (never skips) when the native build is missing.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { ScriptedUpstream } from "../support/scripted-upstream.js";
import { useNativeEngine } from "../support/engine.js";
import { testModelPath } from "../support/test-models.js";

useNativeEngine();

type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

function pngChunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, "latin1"), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** An RGB PNG written here: `pixel(x, y)` gives each pixel's colour. */
function makePng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0, then RGB
    for (let x = 0; x < width; x++) row.set(pixel(x, y), 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

const png = makePng(32, 32, (x, y) => [x * 8, y * 8, 128]);
/** 128×128 pixels of noise: about 49 KB, over the 16 KiB limit of these servers. */
const largePng = makePng(128, 128, (x, y) => [(x * 7919 + y * 104_729) % 251, (x * 31 + y * 17) % 253, (x ^ y) % 255]);
/** A 2×2 24-bit BMP written here (rows bottom-up, each padded to 4 bytes). */
function makeBmp(): Buffer {
  const rowBytes = 8; // 2 pixels × 3 bytes, padded to 4
  const pixels = Buffer.alloc(rowBytes * 2, 0x80);
  const header = Buffer.alloc(54);
  header.write("BM", 0, "latin1");
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14); // BITMAPINFOHEADER
  header.writeInt32LE(2, 18);
  header.writeInt32LE(2, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  return Buffer.concat([header, pixels]);
}

/** A 1×1 GIF89a (one white pixel). */
const gif = Buffer.from("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==", "base64");
const dataUrl = (bytes: Buffer, type = "image/png") => `data:${type};base64,${bytes.toString("base64")}`;

const imageMessage = (url: string): OpenAI.ChatCompletionMessageParam[] => [
  { role: "user", content: [{ type: "text", text: "Describe the picture: " }, { type: "image_url", image_url: { url } }] },
];
const textMessage: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Describe the picture: " }];

let server: TestServer;
/** A second server with the defaults: no image URL is fetched. */
let defaults: TestServer;
let images: http.Server;
let imagesUrl: string;
/** Requests the image server got. */
let imageRequests = 0;

async function post(target: TestServer, path: string, body: unknown): Promise<{ status: number; body: ErrorBody & Record<string, unknown> }> {
  const response = await fetch(`${target.url}/v1${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${target.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ErrorBody & Record<string, unknown> };
}

const chat = (target: TestServer, model: string, url: string) =>
  post(target, "/chat/completions", { model, max_tokens: 4, temperature: 0, messages: imageMessage(url) });

beforeAll(async () => {
  images = http.createServer((request, response) => {
    imageRequests++;
    switch (request.url) {
      case "/picture.png":
        response.writeHead(200, { "content-type": "image/png" }).end(png);
        return;
      case "/large.png":
        response.writeHead(200, { "content-type": "image/png" }).end(largePng);
        return;
      case "/page.html":
        response.writeHead(200, { "content-type": "text/html" }).end("<html>not an image</html>");
        return;
      case "/slow.png":
        return; // never answers: the fetch times out
      default:
        response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => images.listen(0, "127.0.0.1", resolve));
  imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  server = await startTestServer({ imageUrlAllowedHosts: "127.0.0.1", imageMaxBytes: 16_384, imageFetchTimeoutMs: 1000 });
  defaults = await startTestServer();
  const registered = await post(server, "/admin/models", {
    path: await testModelPath("stories260K.gguf"),
    name: "vision",
    mmproj: await testModelPath("tiny-mmproj-random.gguf"),
  });
  expect(registered.status).toBe(201);
  await server.addModel("stories260K.gguf", "stories");
  await defaults.addModel("stories260K.gguf", "stories");
}, 120_000);

afterAll(async () => {
  images.closeAllConnections();
  await new Promise((resolve) => images.close(resolve));
  await server?.close();
  await defaults?.close();
});

describe("models add --mmproj (admin API)", () => {
  it("stores the projector with the model and reports image input", async () => {
    const shown = await server.admin.get<Record<string, unknown>>("/admin/models/vision");
    expect(shown).toMatchObject({
      name: "vision",
      modalities: { input: ["text", "image"], output: ["text"] },
      mmproj: { path: await testModelPath("tiny-mmproj-random.gguf"), projector_type: "mlp", projection_dim: 64, file_size_bytes: 195_584 },
    });
    const plain = await server.admin.get<Record<string, unknown>>("/admin/models/stories");
    expect(plain).toMatchObject({ modalities: { input: ["text"], output: ["text"] }, mmproj: null });
    const listed = await server.admin.models.retrieve("vision");
    expect(listed).toMatchObject({ id: "vision", modalities: { input: ["text", "image"], output: ["text"] } });
    expect(await server.admin.models.retrieve("stories")).toMatchObject({ modalities: { input: ["text"], output: ["text"] } });
  });

  it("refuses a projector that does not fit the model, or a file that is not a projector, naming mmproj", async () => {
    const projector = await testModelPath("tiny-mmproj-random.gguf");
    const mismatched = await post(server, "/admin/models", { path: await testModelPath("llama-2-tiny-random.gguf"), name: "tiny", mmproj: projector });
    expect(mismatched.status).toBe(400);
    expect(mismatched.body.error).toMatchObject({ param: "mmproj", code: "projector_mismatch" });
    expect(mismatched.body.error.message).toContain("projection_dim is 64, the model's embedding length (n_embd) is 8");
    const notProjector = await post(server, "/admin/models", { path: await testModelPath("stories260K.gguf"), name: "other", mmproj: await testModelPath("stories260K.gguf") });
    expect(notProjector.status).toBe(400);
    expect(notProjector.body.error).toMatchObject({ param: "mmproj", code: "not_a_projector" });
    const missing = await post(server, "/admin/models", { path: await testModelPath("stories260K.gguf"), name: "other", mmproj: "/nonexistent/projector.gguf" });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ param: "mmproj", code: "model_file_not_found" });
    const embedder = await post(server, "/admin/models", { path: await testModelPath("tiny-bert-random.gguf"), name: "bert", mmproj: projector });
    expect(embedder.status).toBe(400);
    expect(embedder.body.error).toMatchObject({ param: "mmproj", code: "projector_mismatch" });
    // Nothing of the refused registrations was stored.
    const names = (await server.admin.get<{ data: { name: string }[] }>("/admin/models")).data.map((model) => model.name);
    expect(names.sort()).toEqual(["stories", "vision"]);
  });
});

describe("chat with images", () => {
  it("answers an image_url data URL (openai SDK) and counts the image's tokens in usage", async () => {
    const withImage = await server.admin.chat.completions.create({ model: "vision", messages: imageMessage(dataUrl(png)), max_tokens: 8, temperature: 0 });
    expect(typeof withImage.choices[0]!.message.content).toBe("string");
    expect(withImage.usage!.completion_tokens).toBeGreaterThan(0);
    const textOnly = await server.admin.chat.completions.create({ model: "vision", messages: textMessage, max_tokens: 8, temperature: 0 });
    expect(textOnly.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(withImage.usage!.prompt_tokens).toBeGreaterThan(textOnly.usage!.prompt_tokens);
    // The tiny projector turns a 32×32 image into 2×2 patches of 16: four image tokens.
    const details = (withImage.usage as unknown as { prompt_tokens_details: { image_tokens: number } }).prompt_tokens_details;
    expect(details.image_tokens).toBe(4);
    expect(withImage.usage!.prompt_tokens).toBe(textOnly.usage!.prompt_tokens + 4);
    // The ledger bills the image tokens too.
    const records = (await server.admin.get<{ data: { input_tokens: number | null; status: string }[] }>("/admin/usage/records", { query: { model: "vision" } })).data;
    expect(records.map((record) => record.input_tokens)).toContain(withImage.usage!.prompt_tokens);
  });

  it("streams an answer to an image, usage included", async () => {
    const stream = await server.admin.chat.completions.create({
      model: "vision",
      messages: imageMessage(dataUrl(png)),
      max_tokens: 8,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage!.completion_tokens).toBe(8);
    expect((usage as unknown as { prompt_tokens_details: { image_tokens: number } }).prompt_tokens_details.image_tokens).toBe(4);
  });

  it("decodes GIF and BMP images too (llama.cpp's stb_image)", async () => {
    for (const [bytes, type] of [[gif, "image/gif"], [makeBmp(), "image/bmp"]] as const) {
      const completion = await server.admin.chat.completions.create({ model: "vision", messages: imageMessage(dataUrl(bytes, type)), max_tokens: 2, temperature: 0 });
      expect((completion.usage as unknown as { prompt_tokens_details: { image_tokens: number } }).prompt_tokens_details.image_tokens, type).toBe(4);
    }
  });

  it("takes two images in one message and an image between texts", async () => {
    const completion = await server.admin.chat.completions.create({
      model: "vision",
      max_tokens: 4,
      temperature: 0,
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: dataUrl(png) } },
            { type: "text", text: "and" },
            { type: "image_url", image_url: { url: dataUrl(png) } },
            { type: "text", text: "compared" },
          ],
        },
      ],
    });
    expect((completion.usage as unknown as { prompt_tokens_details: { image_tokens: number } }).prompt_tokens_details.image_tokens).toBe(8);
  });

  it("reports a prompt whose images push it past the context as 400 context_length_exceeded", async () => {
    const small = await startTestServer({ contextSize: 48 });
    try {
      const registered = await post(small, "/admin/models", { path: await testModelPath("stories260K.gguf"), name: "vision", mmproj: await testModelPath("tiny-mmproj-random.gguf") });
      expect(registered.status).toBe(201);
      // The text fits the 48-token context; 80 images of 4 tokens each do not.
      const pictures = Array.from({ length: 80 }, () => ({ type: "image_url", image_url: { url: dataUrl(png) } }));
      const reply = await post(small, "/chat/completions", { model: "vision", max_tokens: 1, messages: [{ role: "user", content: [{ type: "text", text: "Describe these." }, ...pictures] }] });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ param: "messages", code: "context_length_exceeded" });
      // Counted before the call: the text's tokens and 4 per image (the projector's (32 / 16)² patches).
      const counted = /maximum context length is 48 tokens, but the prompt has (\d+) tokens/.exec(reply.body.error.message);
      expect(Number(counted?.[1])).toBeGreaterThan(320);
    } finally {
      await small.close();
    }
  });

  it("refuses an image for a model without a projector: 400 model_not_multimodal naming the part", async () => {
    const reply = await chat(server, "stories", dataUrl(png));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ type: "invalid_request_error", param: "messages[0].content[1]", code: "model_not_multimodal" });
    expect(reply.body.error.message).toContain("--mmproj");
  });

  it("refuses images on the node-llama-cpp engine: 400 model_not_multimodal", async () => {
    const inProcess = await startTestServer({ engine: "node-llama-cpp" });
    try {
      const registered = await post(inProcess, "/admin/models", { path: await testModelPath("stories260K.gguf"), name: "vision", mmproj: await testModelPath("tiny-mmproj-random.gguf") });
      expect(registered.status).toBe(201);
      const reply = await chat(inProcess, "vision", dataUrl(png));
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ param: "messages[0].content[1]", code: "model_not_multimodal" });
      expect(reply.body.error.message).toContain("node-llama-cpp engine");
    } finally {
      await inProcess.close();
    }
  });

  it("refuses corrupt, oversized, unsupported and non-image payloads, naming the part", async () => {
    const corrupt = Buffer.from(png);
    const flipAt = corrupt.length - 20; // inside the IDAT chunk: its checksum no longer matches
    corrupt[flipAt] = corrupt[flipAt]! ^ 0xff;
    const cases: [string, string, string][] = [
      [dataUrl(Buffer.from("just some text, not a picture")), "invalid_image", "not an image"],
      [dataUrl(corrupt), "invalid_image", "corrupt"],
      [dataUrl(png.subarray(0, 60)), "invalid_image", "truncated"],
      [dataUrl(largePng), "image_too_large", "16384 bytes"],
      [dataUrl(Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 "), Buffer.alloc(16)]), "image/webp"), "unsupported_image_type", "WebP"],
      ["data:text/plain;base64,aGVsbG8=", "invalid_image", "text/plain"],
      ["data:image/png;base64,@@not-base64@@", "invalid_image_url", "base64"],
      ["data:image/png,rawbytes", "invalid_image_url", "base64"],
      ["ftp://127.0.0.1/picture.png", "invalid_image_url", "ftp:"],
      ["not a url", "invalid_image_url", "absolute"],
    ];
    for (const [url, code, text] of cases) {
      const reply = await chat(server, "vision", url);
      expect(reply.status, code).toBe(400);
      expect(reply.body.error, url.slice(0, 40)).toMatchObject({ param: "messages[0].content[1]", code });
      expect(reply.body.error.message).toContain(text);
    }
  });

  it("refuses malformed image parts in the request schema", async () => {
    const missingUrl = await post(server, "/chat/completions", { model: "vision", messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] });
    expect(missingUrl.status).toBe(400);
    expect(missingUrl.body.error.param).toBe("messages[0].content[0].image_url.url");
    const unknownPart = await post(server, "/chat/completions", { model: "vision", messages: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] });
    expect(unknownPart.status).toBe(400);
    expect(unknownPart.body.error.param).toMatch(/^messages\[0\]\.content/);
    const systemImage = await post(server, "/chat/completions", { model: "vision", messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: dataUrl(png) } }] }] });
    expect(systemImage.status).toBe(400);
  });
});

describe("upstream models", () => {
  it("forwards image parts to an upstream provider as data URLs, in their places; its modalities are unknown", async () => {
    const upstream = await ScriptedUpstream.start();
    try {
      upstream.on(() => true, { text: "a picture" });
      const created = await post(server, "/admin/providers", { name: "vision-upstream", base_url: upstream.baseUrl, models: ["remote-vision"] });
      expect(created.status).toBe(201);
      const completion = await server.admin.chat.completions.create({
        model: "remote-vision",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: dataUrl(png) } }, { type: "text", text: "What is it?" }] }],
      });
      expect(completion.choices[0]!.message.content).toBe("a picture");
      expect(upstream.requests[0]!.messages[0]).toEqual({
        role: "user",
        content: [{ type: "image_url", image_url: { url: dataUrl(png) } }, { type: "text", text: "What is it?" }],
      });
      expect(await server.admin.models.retrieve("remote-vision")).toMatchObject({ owned_by: "vision-upstream", modalities: null });
    } finally {
      await upstream.stop();
    }
  });
});

describe("http(s) image URLs", () => {
  it("fetches an image from an allowed host", async () => {
    const completion = await server.admin.chat.completions.create({ model: "vision", messages: imageMessage(`${imagesUrl}/picture.png`), max_tokens: 4, temperature: 0 });
    expect((completion.usage as unknown as { prompt_tokens_details: { image_tokens: number } }).prompt_tokens_details.image_tokens).toBe(4);
  });

  it("refuses URLs when the admin allows none (the default), and hosts not on the list", async () => {
    const refused = await chat(defaults, "stories", `${imagesUrl}/picture.png`);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ param: "messages[0].content[1]", code: "image_url_not_allowed" });
    expect(refused.body.error.message).toContain("AIPLUS_IMAGE_URL_ALLOWED_HOSTS");
    const otherHost = await chat(server, "vision", imagesUrl.replace("127.0.0.1", "localhost") + "/picture.png");
    expect(otherHost.status).toBe(400);
    expect(otherHost.body.error).toMatchObject({ param: "messages[0].content[1]", code: "image_url_not_allowed" });
  });

  it("fetches nothing for a key that may not use the model", async () => {
    const limited = await server.createKey({ name: "stories-only", models: ["stories"] });
    const before = imageRequests;
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${limited.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "vision", max_tokens: 2, messages: imageMessage(`${imagesUrl}/picture.png`) }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as ErrorBody).error.param).toBe("model");
    expect(imageRequests).toBe(before);
  });

  it("refuses oversized, non-image, missing and slow URLs, naming the part", async () => {
    const cases: [string, string, string][] = [
      ["/large.png", "image_too_large", "16384 bytes"],
      ["/page.html", "invalid_image", "text/html"],
      ["/missing.png", "image_fetch_failed", "HTTP 404"],
      ["/slow.png", "image_fetch_failed", "timed out after 1000 ms"],
    ];
    for (const [path, code, text] of cases) {
      const reply = await chat(server, "vision", `${imagesUrl}${path}`);
      expect(reply.status, path).toBe(400);
      expect(reply.body.error, path).toMatchObject({ param: "messages[0].content[1]", code });
      expect(reply.body.error.message).toContain(text);
    }
  });
});
