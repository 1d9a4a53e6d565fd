import { Button, Group, Select, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { api } from "../../api/client";
import { QueryState } from "../../components/QueryState";
import { type Page, type Run, runStates } from "./agent-types";
import { AgentsLayout } from "./AgentsLayout";
import { RunsTable } from "./RunsTable";
import { isRunEnded, runStateLabel } from "./RunStatusBadge";

const pageSize = 20;

/** Runs the key sees (an admin: every key's), newest first; filtered and paged on the server; live while any runs. */
export function RunListPage() {
  const search = useSearch({ from: "/agents/runs" });
  const navigate = useNavigate({ from: "/agents/runs" });
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const runs = useQuery({
    queryKey: ["runs", "list", { status: search.status, agent: search.agent, after, limit: pageSize }],
    queryFn: () => api<Page<Run>>("/v1/runs", { query: { status: search.status, agent: search.agent, after, limit: pageSize } }),
    refetchInterval: (query) => (query.state.data?.data.some((run) => !isRunEnded(run.status)) ? 2000 : false),
  });
  const setStatus = (value: string | null) => {
    setCursors([]);
    void navigate({ search: (current) => ({ ...current, status: runStates.find((state) => state === value) }) });
  };
  return (
    <AgentsLayout>
      <Title order={1}>Runs</Title>
      <Group align="flex-end">
        <Select
          label="State"
          data={[{ value: "all", label: "All states" }, ...runStates.map((state) => ({ value: state, label: runStateLabel(state) }))]}
          value={search.status ?? "all"}
          allowDeselect={false}
          onChange={(value) => setStatus(value === "all" ? null : value)}
          w={220}
        />
        {search.agent ? (
          <Group gap="xs">
            <Text size="sm">Agent {search.agent}</Text>
            <Button
              size="xs"
              variant="default"
              onClick={() => {
                setCursors([]);
                void navigate({ search: (current) => ({ ...current, agent: undefined }) });
              }}
            >
              Show every agent
            </Button>
          </Group>
        ) : null}
      </Group>
      <QueryState query={runs} label="runs">
        {(page) => (
          <Stack>
            <RunsTable runs={page.data} label="Runs" />
            <Group>
              <Button variant="default" disabled={cursors.length === 0} onClick={() => setCursors((current) => current.slice(0, -1))}>
                Previous page
              </Button>
              <Button variant="default" disabled={!page.has_more || page.last_id === null} onClick={() => page.last_id && setCursors((current) => [...current, page.last_id!])}>
                Next page
              </Button>
            </Group>
          </Stack>
        )}
      </QueryState>
    </AgentsLayout>
  );
}
