import fs from "node:fs";
import path from "node:path";

/** What `scripts/build-native.sh` left in the native folder. */
export type NativeBuild = {
  /** The native folder (`AIPLUS_NATIVE_DIR`). */
  directory: string;
  /** `bin/llama-server`. */
  serverPath: string;
  /** `bin/llama-perplexity`. */
  perplexityPath: string;
  /** Whether `bin/llama-server` is there and executable. */
  built: boolean;
  /** The build's stamp (llama.cpp commit, hash of native/, machine, GPU backend), when built. */
  stamp: string | undefined;
  /** The GPU backend it was built with (`aiplus engine build --gpu`); undefined: CPU only. */
  gpu: "cuda" | "vulkan" | undefined;
};

/** Which local engine serves models, and why. */
export type EngineSelection = {
  /** The setting (`AIPLUS_ENGINE`). */
  requested: "auto" | "native" | "node-llama-cpp";
  active: "native" | "node-llama-cpp";
  /** One sentence: why `active` was chosen. */
  reason: string;
  native: NativeBuild;
};

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Reads the native folder; cheap (a few stat calls), loads nothing. */
export function nativeBuild(directory: string): NativeBuild {
  const bin = path.join(directory, "bin");
  const serverPath = path.join(bin, "llama-server");
  const built = isExecutable(serverPath);
  let stamp: string | undefined;
  try {
    stamp = built ? fs.readFileSync(path.join(bin, "stamp"), "utf8").trim() : undefined;
  } catch {
    stamp = undefined;
  }
  const backend = stamp?.split(" ")[3];
  const gpu = backend === "cuda" || backend === "vulkan" ? backend : undefined;
  return { directory, serverPath, perplexityPath: path.join(bin, "llama-perplexity"), built, stamp, gpu };
}

/**
 * `auto` picks native when its build is present, else node-llama-cpp; `native` without a build is refused when the
 * runtime starts (see {@link assertNativeBuilt}); `node-llama-cpp` always works (prebuilt binaries).
 */
export function selectEngine(requested: EngineSelection["requested"], nativeDirectory: string): EngineSelection {
  const native = nativeBuild(nativeDirectory);
  switch (requested) {
    case "auto":
      return native.built
        ? { requested, active: "native", reason: `AIPLUS_ENGINE=auto and the native build is present in ${native.directory}`, native }
        : { requested, active: "node-llama-cpp", reason: `AIPLUS_ENGINE=auto and no native build in ${native.directory} (run \`aiplus engine build\`): falling back to node-llama-cpp`, native };
    case "native":
      return { requested, active: "native", reason: native.built ? "AIPLUS_ENGINE=native" : `AIPLUS_ENGINE=native but no native build in ${native.directory} (run \`aiplus engine build\`)`, native };
    case "node-llama-cpp":
      return { requested, active: "node-llama-cpp", reason: "AIPLUS_ENGINE=node-llama-cpp", native };
    default:
      return requested satisfies never;
  }
}
