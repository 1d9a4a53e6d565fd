import { Button, Card, Group, Pagination, Select, Stack, Table, Text, Title } from "@mantine/core";
import { Fragment, useState } from "react";
import { formatDollars, formatInteger, formatTime } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import { summarizeDecisions } from "./guardrail-decisions";
import { GuardrailDecisionsTable } from "./GuardrailDecisionsTable";
import { ScrollRegion } from "../../components/ScrollRegion";
import { logPageSize, type UsageFilter, useUsageLog } from "./usage-api";
import { type RequestStatus, requestStatuses } from "./usage-search";

const statusLabels: Record<RequestStatus, string> = { ok: "OK", error: "Error", cancelled: "Cancelled", interrupted: "Interrupted", pending: "Running" };

/**
 * The requests of the period, newest first: one server page at a time with the total, filtered by status too. A
 * request's guardrail decisions are summed up in its row (`2 masked`) and listed below it on demand.
 */
export function RequestLog({
  filter,
  status,
  page,
  showKey,
  onStatusChange,
  onPageChange,
}: {
  filter: UsageFilter;
  status: RequestStatus | undefined;
  page: number;
  showKey: boolean;
  onStatusChange: (status: RequestStatus | undefined) => void;
  onPageChange: (page: number) => void;
}) {
  const log = useUsageLog(filter, status, page);
  const [open, setOpen] = useState<string | undefined>(undefined);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="request-log-title">
      <Group justify="space-between" align="flex-end" mb="sm">
        <Title order={2} size="h4" id="request-log-title">
          Request log
        </Title>
        <Select
          label="Status"
          data={[{ value: "all", label: "All" }, ...requestStatuses.map((value) => ({ value, label: statusLabels[value] }))]}
          value={status ?? "all"}
          onChange={(value) => onStatusChange(value === null || value === "all" ? undefined : value)}
          allowDeselect={false}
          w={150}
        />
      </Group>
      <QueryState query={log} label="the request log">
        {(list) => {
          const pages = Math.max(1, Math.ceil(list.total / logPageSize));
          const first = list.total === 0 ? 0 : (page - 1) * logPageSize + 1;
          return (
            <Stack>
              <Text size="sm" aria-live="polite" data-testid="request-log-count">
                {list.total === 0 ? "No request matches." : `Requests ${formatInteger(first)}–${formatInteger(first + list.data.length - 1)} of ${formatInteger(list.total)}`}
              </Text>
              {list.data.length > 0 ? (
                <ScrollRegion label="Request log table" minWidth={900}>
                  <Table striped aria-label="Requests" data-testid="request-log">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Time</Table.Th>
                        {showKey ? <Table.Th>Key</Table.Th> : null}
                        <Table.Th>Model</Table.Th>
                        <Table.Th>Endpoint</Table.Th>
                        <Table.Th>Status</Table.Th>
                        <Table.Th ta="right">Input tokens</Table.Th>
                        <Table.Th ta="right">Output tokens</Table.Th>
                        <Table.Th ta="right">Cost</Table.Th>
                        <Table.Th ta="right">Latency</Table.Th>
                        <Table.Th>Guardrails</Table.Th>
                        <Table.Th>Error</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {list.data.map((record) => {
                        const decisions = record.guardrail_decisions ?? [];
                        const expanded = open === record.id;
                        return (
                          <Fragment key={record.id}>
                            <Table.Tr>
                              <Table.Td>{formatTime(record.created_at)}</Table.Td>
                              {showKey ? <Table.Td>{record.key_name ?? record.key_prefix ?? "—"}</Table.Td> : null}
                              <Table.Td>{record.model}</Table.Td>
                              <Table.Td>{record.endpoint}</Table.Td>
                              <Table.Td>{statusLabels[record.status]}</Table.Td>
                              <Table.Td ta="right">{formatInteger(record.input_tokens)}</Table.Td>
                              <Table.Td ta="right">{formatInteger(record.output_tokens)}</Table.Td>
                              <Table.Td ta="right">{formatDollars(record.cost)}</Table.Td>
                              <Table.Td ta="right">{record.latency_ms === null ? "—" : `${formatInteger(record.latency_ms)} ms`}</Table.Td>
                              <Table.Td>
                                {decisions.length === 0 ? (
                                  "—"
                                ) : (
                                  <Button
                                    variant="default"
                                    size="compact-xs"
                                    aria-expanded={expanded}
                                    aria-label={`${expanded ? "Hide" : "Show"} the guardrail decisions of the request at ${formatTime(record.created_at)}: ${summarizeDecisions(decisions)}`}
                                    onClick={() => setOpen(expanded ? undefined : record.id)}
                                  >
                                    {summarizeDecisions(decisions)}
                                  </Button>
                                )}
                              </Table.Td>
                              <Table.Td>{record.error ?? ""}</Table.Td>
                            </Table.Tr>
                            {expanded ? (
                              <Table.Tr>
                                <Table.Td colSpan={showKey ? 11 : 10}>
                                  <GuardrailDecisionsTable requestId={record.id} decisions={decisions} />
                                </Table.Td>
                              </Table.Tr>
                            ) : null}
                          </Fragment>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </ScrollRegion>
              ) : null}
              {pages > 1 ? (
                <Pagination
                  total={pages}
                  value={Math.min(page, pages)}
                  onChange={(next) => {
                    setOpen(undefined);
                    onPageChange(next);
                  }}
                  getControlProps={(control) => ({ "aria-label": `${control} page of requests` })}
                  getItemProps={(value) => ({ "aria-label": `Requests page ${value}` })}
                  aria-label="Request log pages"
                />
              ) : null}
            </Stack>
          );
        }}
      </QueryState>
    </Card>
  );
}
