import fs from "node:fs";
import path from "node:path";

/** The engine setting (`AIPLUS_ENGINE`). */
export type EngineSetting = "auto" | "native" | "node-llama-cpp";

/**
 * `bin/aiplus-score` of the native build in `nativeDirectory` (`AIPLUS_NATIVE_DIR`) when the engine setting allows
 * native code (`auto` or `native`) and the tool is built; otherwise undefined (prompts are scored in-process).
 */
export function nativeScorerPath(engine: EngineSetting, nativeDirectory: string): string | undefined {
  switch (engine) {
    case "node-llama-cpp":
      return undefined;
    case "auto":
    case "native": {
      const binary = path.join(nativeDirectory, "bin", "aiplus-score");
      try {
        fs.accessSync(binary, fs.constants.X_OK);
        return fs.statSync(binary).isFile() ? binary : undefined;
      } catch {
        return undefined;
      }
    }
    default:
      return engine satisfies never;
  }
}
