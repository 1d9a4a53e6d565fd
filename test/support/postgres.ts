import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/** A PostgreSQL database for one test suite; `stop()` drops it (and stops the throwaway cluster, if any). */
export type TestPostgres = { url: string; stop(): Promise<void> };

const binaries = "/usr/lib/postgresql/15/bin";

/**
 * A fresh, empty PostgreSQL database. Uses `AIPLUS_TEST_POSTGRES_URL` (a server the tests may create databases
 * on) when set; otherwise starts a throwaway cluster from the local PostgreSQL 15 binaries.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const serverUrl = process.env.AIPLUS_TEST_POSTGRES_URL;
  if (serverUrl) return createDatabaseOn(serverUrl, async () => {});
  if (!fs.existsSync(path.join(binaries, "initdb")) || !fs.existsSync(path.join(binaries, "pg_ctl"))) {
    throw new Error(
      `PostgreSQL tests need either AIPLUS_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) ` +
        `or the postgresql-15 package (${binaries}/initdb and pg_ctl); install it with \`apt-get install postgresql-15\``,
    );
  }
  const cluster = await startCluster();
  return createDatabaseOn(cluster.url, cluster.stop);
}

async function createDatabaseOn(serverUrl: string, stopServer: () => Promise<void>): Promise<TestPostgres> {
  const name = `aiplus_test_${randomBytes(6).toString("hex")}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await stopServer();
    },
  };
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined); // a dropped admin connection fails the query below instead of crashing
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function startCluster(): Promise<{ url: string; stop: () => Promise<void> }> {
  const asRoot = process.getuid?.() === 0;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-pg-"));
  const dataDirectory = path.join(folder, "data");
  const socketDirectory = path.join(folder, "sock");
  fs.mkdirSync(dataDirectory, { mode: 0o700 });
  fs.mkdirSync(socketDirectory);
  if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", folder]);
  const run = (binary: string, args: string[]) => {
    const command = asRoot ? "runuser" : path.join(binaries, binary);
    const fullArgs = asRoot ? ["-u", "postgres", "--", path.join(binaries, binary), ...args] : args;
    const result = spawnSync(command, fullArgs, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${binary} failed: ${result.stderr || result.stdout}`);
  };
  run("initdb", ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${socketDirectory} -c fsync=off -c max_connections=200`;
  run("pg_ctl", ["-D", dataDirectory, "-l", path.join(folder, "postgres.log"), "-w", "-t", "60", "-o", options, "start"]);
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    run("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"]);
    fs.rmSync(folder, { recursive: true, force: true });
  };
  // A crashed test run must not leave a server behind.
  const onExit = () => {
    try {
      stopNow();
    } catch {
      // exiting anyway
    }
  };
  process.once("exit", onExit);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      process.removeListener("exit", onExit);
      stopNow();
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
