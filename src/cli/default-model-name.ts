import path from "node:path";

/** Default registry name of a GGUF file: its base name without `.gguf`, in its own case (names match in any case). */
export function defaultModelName(file: string): string {
  return path.basename(file).replace(/\.gguf$/i, "");
}
