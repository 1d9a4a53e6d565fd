/**
 * Splits a Server-Sent Events byte stream into the `data` payload of each event. UTF-8 characters and
 * lines may arrive split across chunks; comments (`: …`) and other fields (`event:`, `id:`, `retry:`) are ignored; the data
 * lines of one event are joined with `\n`. A last event without its blank line is still delivered.
 */
export function createSseDataStream(): TransformStream<Uint8Array, string> {
  const decoder = new TextDecoder();
  let buffer = "";
  let dataLines: string[] = [];

  const dispatch = (controller: TransformStreamDefaultController<string>): void => {
    if (dataLines.length > 0) controller.enqueue(dataLines.join("\n"));
    dataLines = [];
  };

  const handleLine = (line: string, controller: TransformStreamDefaultController<string>): void => {
    if (line === "") return dispatch(controller);
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== "data") return;
    const value = colon === -1 ? "" : line.slice(colon + 1);
    dataLines.push(value.startsWith(" ") ? value.slice(1) : value);
  };

  return new TransformStream<Uint8Array, string>({
    transform(bytes, controller) {
      const chunk = decoder.decode(bytes, { stream: true });
      buffer += chunk;
      const lines = buffer.split(/\r\n|\r|\n/);
      // A trailing `\r` may be the first half of `\r\n`: keep it with the unfinished last line.
      buffer = lines.pop() ?? "";
      if (buffer === "" && chunk.endsWith("\r")) {
        const last = lines.pop();
        if (last !== undefined) buffer = `${last}\r`;
      }
      for (const line of lines) handleLine(line, controller);
    },
    flush(controller) {
      buffer += decoder.decode();
      const rest = buffer.replace(/\r$/, "");
      if (rest !== "") handleLine(rest, controller);
      dispatch(controller);
    },
  });
}
