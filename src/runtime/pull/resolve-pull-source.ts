import path from "node:path";
import { InvalidRequestError } from "../../spec/index.js";

/** A download source resolved to a URL and the file name it is saved under. */
export type PullSource = {
  url: URL;
  /** Base name of the saved file, e.g. `stories260K.gguf`. */
  fileName: string;
};

const defaultHuggingFaceUrl = "https://huggingface.co";

/**
 * Resolves `hf:org/repo/path/file.gguf` (optionally `hf:org/repo:revision/path/file.gguf`) to
 * `<huggingFaceUrl>/org/repo/resolve/<revision or main>/path/file.gguf`, or accepts an `http(s)://` URL.
 * Throws InvalidRequestError for anything else.
 */
export function resolvePullSource(source: string, huggingFaceUrl: string = defaultHuggingFaceUrl): PullSource {
  if (source.startsWith("hf:")) return resolveHuggingFace(source, huggingFaceUrl);
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new InvalidRequestError({ message: `source must be hf:org/repo/file.gguf or an http(s) URL, got ${source}`, param: "source" });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidRequestError({ message: `source must be hf:org/repo/file.gguf or an http(s) URL, got ${source}`, param: "source" });
  }
  return { url, fileName: fileNameOf(decodeURIComponent(url.pathname), source) };
}

function resolveHuggingFace(source: string, huggingFaceUrl: string): PullSource {
  const parts = source.slice("hf:".length).split("/").filter((part) => part !== "");
  const [organisation, repositoryAndRevision, ...filePath] = parts;
  if (!organisation || !repositoryAndRevision || filePath.length === 0) {
    throw new InvalidRequestError({ message: `hf: source must look like hf:org/repo/file.gguf, got ${source}`, param: "source" });
  }
  const [repository, revision = "main", ...rest] = repositoryAndRevision.split(":");
  if (!repository || rest.length > 0 || revision === "") {
    throw new InvalidRequestError({ message: `hf: source must look like hf:org/repo[:revision]/file.gguf, got ${source}`, param: "source" });
  }
  const encoded = [organisation, repository, "resolve", revision, ...filePath].map(encodeURIComponent).join("/");
  const url = new URL(`${huggingFaceUrl.replace(/\/+$/, "")}/${encoded}`);
  return { url, fileName: fileNameOf(filePath.join("/"), source) };
}

function fileNameOf(filePath: string, source: string): string {
  const fileName = path.posix.basename(filePath);
  if (fileName === "" || fileName === "." || fileName === ".." || fileName.includes("\\")) {
    throw new InvalidRequestError({ message: `source ${source} does not name a file`, param: "source" });
  }
  return fileName;
}
