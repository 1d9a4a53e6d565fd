import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";

/** A Redis for one test suite, with a key prefix of its own; `stop()` deletes the prefix's keys (and stops a throwaway server). */
export type TestRedis = { url: string; prefix: string; stop(): Promise<void> };

const redisServer = "/usr/bin/redis-server";

/**
 * A Redis and a fresh key prefix. Uses `AIPLUS_TEST_REDIS_URL` when set (CI sets it: `.ci/run` starts redis-server on
 * 127.0.0.1:56379); otherwise, outside CI, starts a throwaway `redis-server` on a free port. In CI a missing
 * `AIPLUS_TEST_REDIS_URL` fails the test: the queue tests never silently skip.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const prefix = `aiplus-test-${randomBytes(6).toString("hex")}`;
  const serverUrl = process.env.AIPLUS_TEST_REDIS_URL;
  if (serverUrl) return { url: serverUrl, prefix, stop: () => deleteKeys(serverUrl, prefix) };
  if (process.env.CI === "true") {
    throw new Error("AIPLUS_TEST_REDIS_URL is not set: the queue tests need Redis (.ci/run starts redis-server on 127.0.0.1:56379 and exports it)");
  }
  if (!fs.existsSync(redisServer)) {
    throw new Error(`the queue tests need Redis: set AIPLUS_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) or install redis-server (\`apt-get install redis-server\`)`);
  }
  const server = await startThrowawayServer();
  return { url: server.url, prefix, stop: () => server.stop() };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}

async function startThrowawayServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-redis-"));
  const port = await freePort();
  const child = spawn(redisServer, ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", folder], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  for (let attempt = 0; ; attempt += 1) {
    const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    client.on("error", () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === "PONG") break;
    } catch (error) {
      if (attempt >= 100) throw new Error(`redis-server on port ${port} did not answer`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
  return {
    url,
    async stop() {
      process.removeListener("exit", onExit);
      child.kill("SIGTERM");
      await exited;
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
