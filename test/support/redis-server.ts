import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

/** A Redis for tests: its URL, and `stop()`. */
export type TestRedis = { url: string; stop(): Promise<void> };

/** A redis-server child process of this test run: `kill()` ends it (Redis goes away), `start()` starts it again on the same port. */
export type ThrowawayRedis = TestRedis & { port: number; kill(): Promise<void>; start(): Promise<void> };

const redisServer = "/usr/bin/redis-server";

/**
 * The Redis the tests share: `AIPLUS_TEST_REDIS_URL` when set (`.ci/run` starts one). Without it, a throwaway
 * redis-server (Debian `redis-server`) on a free port; under CI (`CI=true`) a missing AIPLUS_TEST_REDIS_URL fails
 * instead, so that a misconfigured CI never quietly tests something else.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const url = process.env.AIPLUS_TEST_REDIS_URL;
  if (url) return { url, stop: async () => {} };
  if (process.env.CI === "true") {
    throw new Error("Redis tests need AIPLUS_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) under CI; .ci/run starts a redis-server and sets it");
  }
  return startThrowawayRedis();
}

/** A redis-server of this test run on a free loopback port (no persistence). */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  if (!fs.existsSync(redisServer)) {
    throw new Error(`Redis tests need AIPLUS_TEST_REDIS_URL or ${redisServer}; install it with \`apt-get install redis-server\``);
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const onExit = () => child?.kill("SIGKILL");
  process.once("exit", onExit);
  const start = async () => {
    if (child) return;
    const started = spawn(redisServer, ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"], { stdio: ["ignore", "ignore", "inherit"] });
    child = started;
    await waitUntilListening(port, started);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill,
    async stop() {
      process.removeListener("exit", onExit);
      await kill();
    },
  };
}

async function waitUntilListening(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}) before it listened on ${port}`);
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (connected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not listen on ${port} within 5 s`);
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
