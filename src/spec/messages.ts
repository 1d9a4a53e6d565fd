/** A JSON Schema object (draft 2020-12 subset as accepted by OpenAI `parameters` / `json_schema`). */
export type JsonSchema = { [key: string]: unknown };

/** A tool call requested by the model. `arguments` is the JSON text the model produced. */
export type ToolCall = { id: string; name: string; arguments: string };

/** An image of a user message (an OpenAI `image_url` content part), decoded and checked at the API edge. */
export type ChatImage = {
  /** The image file (PNG, JPEG, GIF or BMP). */
  data: Uint8Array;
  mediaType: string;
  /** Where the image stands in the message's `content`: the number of text characters before it. */
  textOffset: number;
  /** The request field it came from, for errors: `messages[0].content[1]`. */
  param: string;
};

/** One message of a chat prompt, normalised from OpenAI's wire format. */
export type ChatMessage =
  | { role: "system"; content: string }
  | {
      role: "user";
      /** The text of the message (its text parts joined). */
      content: string;
      /** Its images, in order; only models with a vision projector take them. */
      images?: ChatImage[] | undefined;
    }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] | undefined }
  | { role: "tool"; content: string; toolCallId: string };

/** A function the model may call. */
export type ToolDefinition = { name: string; description?: string | undefined; parameters: JsonSchema };

/** How the model may use tools. */
export type ToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; name: string };

/** Output format constraint, enforced by grammar on local models. */
export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: JsonSchema; strict?: boolean | undefined };

/** The prompt of a call: a chat conversation or raw text (legacy completions). */
export type Prompt =
  | { type: "chat"; messages: ChatMessage[] }
  | {
      type: "text";
      text: string;
      /** Return the prompt (and its token log-probabilities when `logprobs` is set) before the completion. */
      echo?: boolean | undefined;
    };
