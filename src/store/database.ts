import fs from "node:fs";
import path from "node:path";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import { InvalidRequestError } from "../spec/index.js";
import { migrationProvider } from "./migrations/index.js";
import type { DatabaseSchema } from "./schema.js";

/** Which SQL engine a database runs on. Code that must differ (rarely) switches on this. */
export type DatabaseDialect = "sqlite" | "postgres";

export type Database = {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: DatabaseDialect;
  /** Closes the connection(s). */
  dispose(): Promise<void>;
};

/**
 * Opens the database named by `url` (`sqlite:/path/file.db`, a bare path, or `postgres://…`)
 * and applies pending migrations.
 */
export async function openDatabase(url: string): Promise<Database> {
  const database = url.startsWith("postgres://") || url.startsWith("postgresql://")
    ? await openPostgres(url)
    : await openSqlite(url.replace(/^sqlite:/, ""));
  const migrator = new Migrator({ db: database.db, provider: migrationProvider });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await database.dispose();
    throw error;
  }
  return database;
}

async function openSqlite(file: string): Promise<Database> {
  const { default: BetterSqlite3 } = await import("better-sqlite3");
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let connection: import("better-sqlite3").Database;
  try {
    connection = new BetterSqlite3(file);
  } catch (error) {
    throw new InvalidRequestError({ message: `cannot open database ${file}: ${(error as Error).message}`, cause: error });
  }
  // WAL: readers never block the writer, a server and CLI commands can share the file, and a
  // committed transaction survives kill -9 (synchronous=NORMAL only risks the last commits on power loss).
  connection.pragma("journal_mode = WAL");
  connection.pragma("synchronous = NORMAL");
  connection.pragma("busy_timeout = 5000");
  connection.pragma("foreign_keys = ON");
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  return { db, dialect: "sqlite", dispose: () => db.destroy() };
}

/** Most SQL statements a connection keeps prepared. */
const statementCacheSize = 256;

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing is a measurable share of
 * each API request (the ledger runs ~10 statements per call). Cache prepared statements by SQL text (LRU).
 */
function withStatementCache(connection: import("better-sqlite3").Database): import("better-sqlite3").Database {
  const statements = new Map<string, import("better-sqlite3").Statement>();
  const prepare = (source: string): import("better-sqlite3").Statement => {
    let statement = statements.get(source);
    if (statement) {
      statements.delete(source);
    } else {
      statement = connection.prepare(source);
      if (statements.size >= statementCacheSize) statements.delete(statements.keys().next().value!);
    }
    statements.set(source, statement);
    return statement;
  };
  return new Proxy(connection, {
    get(target, property) {
      if (property === "prepare") return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function openPostgres(url: string): Promise<Database> {
  const pg = await import("pg");
  // int8 (bigint) columns hold epoch ms and nano-dollars: parse them as numbers, not strings.
  pg.default.types.setTypeParser(20, (value: string) => Number(value));
  const pool = new pg.default.Pool({ connectionString: url, max: 10 });
  // An idle pooled connection that the server drops (restart, failover, an administrator's terminate) is an 'error'
  // event on the pool; unhandled, Node would crash the process. The pool discards that client and the next query
  // opens a new connection, so a warning is all it takes.
  pool.on("error", (error) => process.emitWarning(`PostgreSQL dropped an idle connection: ${error.message}`, { code: "AIPLUS_PG_IDLE_CONNECTION" }));
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", dispose: () => db.destroy() };
}
