import fs from "node:fs";
import path from "node:path";
import type { Platform } from "../../platform/index.js";

/** The name of the key `aiplus run` starts runs with (its secret is kept in `$AIPLUS_HOME/cli-run-key`, mode 0600). */
export const cliRunKeyName = "aiplus-cli-run";

/**
 * The API key `aiplus run` uses in-process: runs are billed to it in the ledger, and agents' memory is scoped to it
 * (so it persists across `aiplus run` calls). Created as an admin key on first use (it sees the local operator's
 * agents); `renew` replaces a key that was revoked or deleted.
 */
export async function cliRunKey(platform: Platform, options: { renew?: boolean } = {}): Promise<string> {
  const file = path.join(platform.config.home, "cli-run-key");
  if (!options.renew) {
    try {
      const stored = fs.readFileSync(file, "utf8").trim();
      if (stored !== "") return stored;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  const { key } = await platform.maas.keys.create({ name: cliRunKeyName, isAdmin: true });
  fs.mkdirSync(platform.config.home, { recursive: true });
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
