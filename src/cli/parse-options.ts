import { InvalidArgumentError } from "commander";

/** commander argument parsers: each throws InvalidArgumentError with a clear reason (commander adds the flag). */

export function parsePositiveInteger(value: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1 || !Number.isSafeInteger(Number(trimmed))) {
    throw new InvalidArgumentError("Must be a positive integer.");
  }
  return Number(trimmed);
}

export function parsePort(value: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > 65535) throw new InvalidArgumentError("Must be a port number from 0 to 65535.");
  return Number(trimmed);
}

/** `5`, `5.00`, `$0.15` → dollars (non-negative, finite). */
export function parseDollars(value: string): number {
  const trimmed = value.trim().replace(/^\$/, "");
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(trimmed) || Number(trimmed) > 1e9) {
    throw new InvalidArgumentError("Must be a non-negative amount of dollars, like 5.00.");
  }
  return Number(trimmed);
}

/** `a,b, c` → ["a", "b", "c"] (no empty entries, no duplicates). */
export function parseList(value: string): string[] {
  const items = [...new Set(value.split(",").map((item) => item.trim()).filter((item) => item !== ""))];
  if (items.length === 0) throw new InvalidArgumentError("Must list at least one name, separated by commas.");
  return items;
}

/** `2026-11-01` (UTC midnight) or an ISO date-time → epoch ms. */
export function parseDate(value: string): number {
  const trimmed = value.trim();
  const time = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (!Number.isFinite(time)) throw new InvalidArgumentError("Must be a date like 2026-11-01 or an ISO date-time.");
  return time;
}

const durationUnits: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `2w`, `90m`, `45s` → milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  const unit = match?.[2] === undefined ? undefined : durationUnits[match[2]];
  if (!match || unit === undefined || Number(match[1]) < 1) {
    throw new InvalidArgumentError("Must be a duration like 30d, 12h, 2w, 90m or 45s.");
  }
  return Number(match[1]) * unit;
}

/** A model or provider name: letters, digits and `._:/-`, starting with a letter or digit. */
export function parseName(value: string): string {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/.test(trimmed)) {
    throw new InvalidArgumentError("Must start with a letter or digit and use only letters, digits and . _ : / @ + - (at most 128 characters).");
  }
  return trimmed;
}
