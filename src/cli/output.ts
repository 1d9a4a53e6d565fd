/**
 * Ends the CLI quietly with status 0 when the reader of `stream` went away (`aiplus … | head`: EPIPE), as coreutils do
 * under SIGPIPE, instead of an unhandled `write EPIPE` stack trace. Other stream errors stay fatal.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    exit(0);
  });
}

/** Prints a value as pretty JSON on stdout (the `--json` output of every listing); unknown fields print as `null`. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_key, field: unknown) => (field === undefined ? null : field), 2)}\n`);
}

/** Prints a line on stdout. */
export function printLine(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Prints rows as an aligned text table with a header; `empty` when there are no rows. */
export function printTable(header: string[], rows: string[][], empty: string): void {
  if (rows.length === 0) {
    printLine(empty);
    return;
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const format = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
  printLine(format(header));
  for (const row of rows) printLine(format(row));
}

/** `1185376` → `1.2 MB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `292800` → `292.8K`, `7241732096` → `7.24B`. */
export function formatCount(count: number | undefined): string {
  if (count === undefined) return "-";
  if (count >= 1e9) return `${(count / 1e9).toFixed(2)}B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(2)}M`;
  if (count >= 1e3) return `${(count / 1e3).toFixed(1)}K`;
  return String(count);
}

/** Dollars with up to 6 decimals, at least 2: `$0.000123`, `$5.00`. */
export function formatDollars(dollars: number): string {
  const fixed = dollars.toFixed(6).replace(/0{1,4}$/, "");
  return `$${fixed}`;
}

/** Epoch ms → ISO time, or `-`. */
export function formatTime(epochMs: number | undefined): string {
  return epochMs === undefined ? "-" : new Date(epochMs).toISOString();
}
