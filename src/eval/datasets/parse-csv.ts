import { InvalidRequestError } from "../../spec/index.js";

export type ParseCsvOptions = {
  /** Name used in error messages. Defaults to `CSV`. */
  source?: string;
};

/**
 * RFC 4180 CSV: fields separated by `,`, records by LF or CRLF; a field in double quotes may hold
 * commas, line breaks and `""` (an escaped quote). A final line break does not start a new record and
 * empty lines are skipped (Python's `csv.reader` yields `[]` for them). A quote inside an unquoted field is
 * kept literally. An unterminated quote is an error, never silently truncated data.
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): string[][] {
  const source = options.source ?? "CSV";
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let index = 0;
  let line = 1;
  /** Whether the current field was quoted (so `""` at a line start is a value, not an empty line). */
  let fieldQuoted = false;
  const endRecord = () => {
    const emptyLine = record.length === 0 && field === "" && !fieldQuoted;
    record.push(field);
    if (!emptyLine) records.push(record);
    record = [];
    field = "";
    fieldQuoted = false;
  };
  while (index < text.length) {
    const character = text[index]!;
    if (character === '"' && field === "" && !fieldQuoted) {
      const quoteLine = line;
      index += 1;
      for (;;) {
        if (index >= text.length) {
          throw new InvalidRequestError({ message: `${source}: unterminated quoted field starting on line ${quoteLine}`, code: "invalid_dataset" });
        }
        const inner = text[index]!;
        if (inner === '"') {
          if (text[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        if (inner === "\n") line += 1;
        field += inner;
        index += 1;
      }
      fieldQuoted = true;
      continue;
    }
    if (character === ",") {
      record.push(field);
      field = "";
      fieldQuoted = false;
      index += 1;
      continue;
    }
    if (character === "\r" && text[index + 1] === "\n") {
      index += 1;
      continue;
    }
    if (character === "\n") {
      endRecord();
      line += 1;
      index += 1;
      continue;
    }
    field += character;
    index += 1;
  }
  if (field !== "" || fieldQuoted || record.length > 0) endRecord();
  return records;
}

/** Records of a CSV with a header row, as objects keyed by the header's column names. */
export function parseCsvWithHeader(text: string, options: ParseCsvOptions = {}): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text, options);
  if (!header) return [];
  return rows.map((row, rowIndex) => {
    if (row.length !== header.length) {
      throw new InvalidRequestError({
        message: `${options.source ?? "CSV"}: record ${rowIndex + 2} has ${row.length} fields, the header has ${header.length}`,
        code: "invalid_dataset",
      });
    }
    return Object.fromEntries(header.map((name, column) => [name, row[column]!]));
  });
}
