import { Button, Group, Select, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { browserTimeZone, formatInteger } from "../../app/format";
import { ErrorAlert, QueryState } from "../../components/QueryState";
import { auditCsv, download } from "./audit-export";
import { AuditTable } from "./AuditTable";
import { type AuditFilter, allAuditEntries, useAuditPage } from "./guardrails-api";
import type { GuardrailsSearch } from "./guardrails-search";

const route = getRouteApi("/guardrails");
const pageSizes = ["25", "50", "100"];

/** `datetime-local` text (browser time zone) as unix seconds; empty or unreadable text: no bound. */
function unixSecondsOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const time = new Date(text).getTime();
  return Number.isFinite(time) ? Math.floor(time / 1000) : undefined;
}

function filterOf(search: GuardrailsSearch): AuditFilter {
  return { kind: search.kind, key: search.key, since: unixSecondsOf(search.since), until: unixSecondsOf(search.until) };
}

/** The audit log, newest first: filters in the URL, server-side pages (cursor `before`), export of the whole filter. */
export function AuditPanel() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const filter = filterOf(search);
  const [size, setSize] = useState(25);
  /** The `before` cursor of each page shown so far: page N is cursors[N - 1] (undefined: the newest). */
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const pageNumber = cursors.length;
  const page = useAuditPage(filter, cursors[cursors.length - 1], size);
  const [exporting, setExporting] = useState<"csv" | "json">();
  const [exportError, setExportError] = useState<unknown>();
  const change = (changes: Partial<GuardrailsSearch>) => {
    setCursors([undefined]);
    void navigate({ search: (previous) => ({ ...previous, ...changes }), replace: true });
  };
  const exportAs = async (format: "csv" | "json") => {
    setExporting(format);
    setExportError(undefined);
    try {
      const entries = await allAuditEntries(filter);
      if (format === "csv") download(auditCsv(entries), "aiplus-audit.csv", "text/csv");
      else download(`${JSON.stringify(entries, null, 2)}\n`, "aiplus-audit.json", "application/json");
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(undefined);
    }
  };
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        <Select
          label="Kind"
          data={[
            { value: "all", label: "All entries" },
            { value: "guardrail", label: "Guardrail decisions" },
            { value: "admin", label: "Admin actions" },
          ]}
          value={search.kind ?? "all"}
          onChange={(value) => change({ kind: value === "guardrail" || value === "admin" ? value : undefined })}
          allowDeselect={false}
        />
        <TextInput label="Key id" placeholder="Any key" defaultValue={search.key ?? ""} onBlur={(event) => change({ key: event.currentTarget.value.trim() || undefined })} onKeyDown={(event) => {
          if (event.key === "Enter") change({ key: event.currentTarget.value.trim() || undefined });
        }} />
        <TextInput label="Since" description={browserTimeZone} type="datetime-local" value={search.since ?? ""} onChange={(event) => change({ since: event.currentTarget.value || undefined })} />
        <TextInput label="Until" description={browserTimeZone} type="datetime-local" value={search.until ?? ""} onChange={(event) => change({ until: event.currentTarget.value || undefined })} />
      </SimpleGrid>
      <Group justify="space-between">
        <Select
          label="Entries per page"
          data={pageSizes}
          value={String(size)}
          onChange={(value) => {
            setSize(Number(value ?? "25"));
            setCursors([undefined]);
          }}
          allowDeselect={false}
          w={160}
        />
        <Group>
          <Button variant="light" loading={exporting === "csv"} disabled={exporting !== undefined} onClick={() => void exportAs("csv")}>
            Export CSV
          </Button>
          <Button variant="light" loading={exporting === "json"} disabled={exporting !== undefined} onClick={() => void exportAs("json")}>
            Export JSON
          </Button>
        </Group>
      </Group>
      <ErrorAlert error={exportError} title="The export failed" />
      <QueryState query={page} label="the audit log">
        {(list) => (
          <Stack>
            <Text size="sm" aria-live="polite" data-testid="audit-count">
              {list.data.length === 0 ? "No entry matches." : `Page ${formatInteger(pageNumber)}: ${formatInteger(list.data.length)} ${list.data.length === 1 ? "entry" : "entries"}${list.has_more ? ", more older" : ""}`}
            </Text>
            {list.data.length > 0 ? <AuditTable entries={list.data} /> : null}
            <Group>
              <Button variant="default" disabled={pageNumber === 1} onClick={() => setCursors((previous) => previous.slice(0, -1))}>
                Newer
              </Button>
              <Button variant="default" disabled={list.next === null || page.isPlaceholderData} onClick={() => list.next !== null && setCursors((previous) => [...previous, list.next ?? undefined])}>
                Older
              </Button>
            </Group>
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
