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

function RecentErrorsCard() {
  const records = useQuery({
    queryKey: ["admin-recent-records"],
    queryFn: () => api<List<UsageRecordView>>("/v1/admin/usage/records", { query: { limit: 200 } }),
    refetchInterval: 10_000,
  });
  return (
    <Card withBorder padding="md" component="section" aria-label="Recent errors">
      <Title order={2} size="h4" mb="xs">
        Recent errors
      </Title>
      <QueryState query={records} label="recent requests">
        {(list) => {
          const errors = list.data.filter((record) => record.status === "error").slice(0, 10);
          if (errors.length === 0) return <Text size="sm">No failed request among the last {list.data.length}.</Text>;
          return (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Error</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {errors.map((record) => (
                  <Table.Tr key={record.id}>
                    <Table.Td>{formatTime(record.created_at)}</Table.Td>
                    <Table.Td>{record.model}</Table.Td>
                    <Table.Td>{record.error ?? "—"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          );
        }}
      </QueryState>
    </Card>
  );
}

/** Today and this month (in the browser's time zone) for what the key may see; the pool and errors for admins. */
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
      {me.is_admin ? (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <RuntimeCard />
          <RecentErrorsCard />
        </SimpleGrid>
      ) : null}
    </Stack>
  );
}
