import type { ChatRequestBody } from "./types";

/** The API key placeholder every snippet uses: the console never has (or shows) a key. */
export const apiKeyPlaceholder = "$AIPLUS_API_KEY";

/** A string in single quotes for a POSIX shell (a `'` becomes `'\''`). */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `curl` sending exactly `body` to this server's chat completions (`-N`: print the stream as it arrives). */
export function curlCommand(origin: string, body: ChatRequestBody): string {
  return [
    `curl -N ${origin}/v1/chat/completions \\`,
    `  -H "Authorization: Bearer ${apiKeyPlaceholder}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d ${shellQuote(JSON.stringify(body, null, 2))}`,
  ].join("\n");
}

/**
 * Node code with the official OpenAI SDK sending exactly `body` (a JSON object is a valid JavaScript object literal;
 * aiplus's own fields such as `knowledge_bases` pass through as they are). The key comes from the environment.
 */
export function openAiSdkCode(origin: string, body: ChatRequestBody): string {
  const literal = JSON.stringify(body, null, 2);
  return [
    `// npm install openai; then: AIPLUS_API_KEY=… node chat.mjs`,
    `import OpenAI from "openai";`,
    ``,
    `const client = new OpenAI({ baseURL: "${origin}/v1", apiKey: process.env.AIPLUS_API_KEY });`,
    ``,
    `const stream = await client.chat.completions.create(${literal});`,
    ``,
    `for await (const chunk of stream) {`,
    `  process.stdout.write(chunk.choices[0]?.delta?.content ?? "");`,
    `  if (chunk.usage) console.log("\\n", chunk.usage);`,
    `}`,
  ].join("\n");
}
