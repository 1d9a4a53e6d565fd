import fs from "node:fs/promises";
import path from "node:path";
import { Hono } from "hono";
import { getMimeType } from "hono/utils/mime";
import type { AppEnvironment } from "../app-environment.js";

/** Hashed build outputs (`assets/…`) never change under one name. */
const immutable = "public, max-age=31536000, immutable";

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aiplus console</title></head>
<body><h1>The aiplus console is not built</h1>
<p>Build it with <code>npm run build</code> in the aiplus folder (it writes <code>web/dist</code>), or point
<code>AIPLUS_CONSOLE_DIR</code> at a built console, then reload. The HTTP API under <code>/v1</code> works without it.</p>
</body></html>
`;

/**
 * The built web console (a single-page app) at `/console/` from `directory`: `/` and `/console` redirect to
 * `/console/`; files under `assets/` are cached for a year (immutable, hashed names); any other path without a
 * file answers `index.html` (deep links), never cached. Paths that leave `directory` are 404; a missing build is a
 * 503 page that says how to build it. (A small handler rather than `serveStatic`: it needs the SPA fallback, the two
 * cache policies and an absolute root that does not depend on the working directory. HEAD is answered by Hono from GET.)
 */
export function consoleStaticRoutes({ directory }: { directory: string }): Hono<AppEnvironment> {
  const root = path.resolve(directory);
  return new Hono<AppEnvironment>()
    .get("/", (c) => c.redirect("/console/", 302))
    .get("/console", (c) => c.redirect("/console/", 302))
    .get("/console/*", async (c) => {
      const relative = relativePath(new URL(c.req.url).pathname.slice("/console/".length));
      if (relative === undefined) return c.notFound();
      const file = relative === "" ? undefined : await regularFile(path.join(root, relative));
      if (file !== undefined) {
        const isAsset = relative.startsWith("assets/");
        return c.body(new Uint8Array(file), 200, {
          "content-type": getMimeType(relative) ?? "application/octet-stream",
          "cache-control": isAsset ? immutable : "no-cache",
          "x-content-type-options": "nosniff",
        });
      }
      // A missing hashed asset is a 404 (never HTML under a script's name).
      if (relative.startsWith("assets/")) return c.notFound();
      const index = await regularFile(path.join(root, "index.html"));
      if (index === undefined) return c.html(notBuiltPage, 503, { "cache-control": "no-store" });
      return c.body(new Uint8Array(index), 200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
      });
    });
}

/**
 * The decoded path below the console folder, or undefined when it is malformed or could leave it (`..`, `.`, empty
 * or hidden segments, backslashes, NUL).
 */
function relativePath(encoded: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  if (decoded === "") return "";
  if (decoded.includes("\\") || decoded.includes("\0")) return undefined;
  const segments = decoded.split("/");
  if (segments.at(-1) === "") segments.pop();
  if (segments.some((segment) => segment === "" || segment.startsWith("."))) return undefined;
  return segments.join("/");
}

/** The contents of `file` when it is a regular file (not a folder, not missing). */
async function regularFile(file: string): Promise<Buffer | undefined> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? await fs.readFile(file) : undefined;
  } catch {
    return undefined;
  }
}
