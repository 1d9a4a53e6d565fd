import { Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { List, RuntimeStats, UsagePeriod, UsageSummary } from "../../api/types";
import { browserTimeZone, formatBytes, formatDollars, formatInteger, formatTime } from "../../app/format";
import { useMe } from "../../app/session";
import { QueryState } from "../../components/QueryState";

type UsageRecordView = { id: string; created_at: number; model: string; endpoint: string; status: string; error: string | null; key_name?: string | null };

function PeriodCard({ title, period }: { title: string; period: UsagePeriod }) {
  return (
    <Card withBorder padding="md" aria-label={title} component="section">
      <Title order={2} size="h4" mb="xs">
        {title}
      </Title>
      <SimpleGrid cols={2} spacing="xs">
        <Text size="sm">Requests</Text>
        <Text size="sm" ta="right" data-testid={`${title}-requests`}>
          {formatInteger(period.requests)}
        </Text>
        <Text size="sm">Tokens</Text>
        <Text size="sm" ta="right" data-testid={`${title}-tokens`}>
          {formatInteger(period.input_tokens + period.output_tokens)}
        </Text>
        <Text size="sm">Cost</Text>
        <Text size="sm" ta="right" data-testid={`${title}-cost`}>
          {formatDollars(period.cost)}
        </Text>
      </SimpleGrid>
    </Card>
  );
}

function BudgetCard() {
  const me = useMe();
  return (
    <Card withBorder padding="md" component="section" aria-label="Budget">
      <Title order={2} size="h4" mb="xs">
        Budget
      </Title>
      {me.budget === null ? (
        <Text size="sm">No budget limit on this key.</Text>
      ) : (
        <Text size="sm">
          {formatDollars(me.spent)} spent of {formatDollars(me.budget)} this {me.budget_period}; {formatDollars(me.remaining)} left
          {me.budget_period_end ? ` until ${formatTime(me.budget_period_end)}` : ""}.
        </Text>
      )}
    </Card>
  );
}

function RuntimeCard() {
  const runtime = useQuery({ queryKey: ["admin-runtime"], queryFn: () => api<RuntimeStats>("/v1/admin/runtime"), refetchInterval: 5000 });
  return (
    <Card withBorder padding="md" component="section" aria-label="Loaded models">
      <Title order={2} size="h4" mb="xs">
        Loaded models
      </Title>
      <QueryState query={runtime} label="the runtime">
        {(stats) =>
          stats.loaded.length === 0 ? (
            <Text size="sm">No model is loaded; models load on first use.</Text>
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Memory</Table.Th>
                  <Table.Th>Busy</Table.Th>
                  <Table.Th>Queued</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {stats.loaded.map((model) => (
                  <Table.Tr key={model.name}>
                    <Table.Td>{model.name}</Table.Td>
                    <Table.Td>{formatBytes(model.memory_bytes)}</Table.Td>
                    <Table.Td>{model.active_sequences}</Table.Td>
                    <Table.Td>{model.queued}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
    </Card>
  );
}

type ProviderView = {
  name: string;
  models: string[];
  circuit: { state: "closed" | "half-open" | "open"; open_until_at: number | null } | null;
  latency: { average_ms: number; samples: number } | null;
};

function circuitText(circuit: ProviderView["circuit"]): string {
  if (!circuit) return "No calls yet";
  switch (circuit.state) {
    case "closed":
      return "Healthy";
    case "half-open":
      return "Recovering (trial request)";
    case "open":
      return `Paused until ${formatTime(circuit.open_until_at)}`;
  }
}

function ProvidersCard() {
  const providers = useQuery({ queryKey: ["admin-providers"], queryFn: () => api<List<ProviderView>>("/v1/admin/providers"), refetchInterval: 10_000 });
  return (
    <Card withBorder padding="md" component="section" aria-label="Provider health">
      <Title order={2} size="h4" mb="xs">
        Provider health
      </Title>
      <QueryState query={providers} label="providers">
        {(list) =>
          list.data.length === 0 ? (
            <Text size="sm">No upstream provider is configured.</Text>
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Provider</Table.Th>
                  <Table.Th>Circuit</Table.Th>
                  <Table.Th>Latency</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.map((provider) => (
                  <Table.Tr key={provider.name}>
                    <Table.Td>{provider.name}</Table.Td>
                    <Table.Td>{circuitText(provider.circuit)}</Table.Td>
                    <Table.Td>{provider.latency ? `${Math.round(provider.latency.average_ms)} ms` : "—"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
    </Card>
  );
}

function RecentErrorsCard() {
  const records = useQuery({
    queryKey: ["recent-errors", browserTimeZone],
    queryFn: () => api<List<UsageRecordView>>("/v1/usage/records", { query: { status: "error", limit: 10, tz: browserTimeZone } }),
    refetchInterval: 10_000,
  });
  return (
    <Card withBorder padding="md" component="section" aria-label="Recent errors">
      <Title order={2} size="h4" mb="xs">
        Recent errors
      </Title>
      <QueryState query={records} label="recent errors">
        {(list) =>
          list.data.length === 0 ? (
            <Text size="sm">No failed request.</Text>
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Error</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.map((record) => (
                  <Table.Tr key={record.id}>
                    <Table.Td>{formatTime(record.created_at)}</Table.Td>
                    <Table.Td>{record.model}</Table.Td>
                    <Table.Td>{record.error ?? "—"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
    </Card>
  );
}

/**
 * Today and this month (in the browser's time zone) for what the key may see, its budget and its recent errors; the
 * engine pool and provider health for admins.
 */
export function DashboardPage() {
  const me = useMe();
  const summary = useQuery({
    queryKey: ["usage-summary", browserTimeZone],
    queryFn: () => api<UsageSummary>("/v1/usage/summary", { query: { tz: browserTimeZone } }),
    refetchInterval: 15_000,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Dashboard</Title>
        <Text size="sm" c="dimmed">
          Times in {browserTimeZone}
        </Text>
      </Group>
      <QueryState query={summary} label="usage">
        {(data) => (
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <PeriodCard title="Today" period={data.today} />
            <PeriodCard title="This month" period={data.month} />
            <BudgetCard />
          </SimpleGrid>
        )}
      </QueryState>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {me.is_admin ? <RuntimeCard /> : null}
        {me.is_admin ? <ProvidersCard /> : null}
        <RecentErrorsCard />
      </SimpleGrid>
    </Stack>
  );
}
