const encoder = new TextEncoder();

/** JSON values as SSE `data:` events, ending with `data: [DONE]`. */
export function serverSentEvents(): TransformStream<unknown, Uint8Array> {
  return new TransformStream({
    transform(value, controller) {
      controller.enqueue(encoder.encode(`data: ${JSON.stringify(value)}\n\n`));
    },
    flush(controller) {
      controller.enqueue(encoder.encode("data: [DONE]\n\n"));
    },
  });
}
