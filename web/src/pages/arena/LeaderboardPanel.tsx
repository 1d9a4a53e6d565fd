import { Button, Card, Group, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { formatInteger } from "../../app/format";
import { QueryState } from "../../components/QueryState";
import type { Leaderboard } from "./arenaTypes";
import { ScrollTable } from "../evaluation/ScrollTable";

const rating = (value: number) => value.toFixed(1);

/** Bradley–Terry ratings of the voted battles with bootstrap 95% intervals, online Elo beside them, battles per model. */
export function LeaderboardPanel() {
  const [draft, setDraft] = useState("");
  const [category, setCategory] = useState("");
  const board = useQuery({
    queryKey: ["arena-leaderboard", category],
    queryFn: ({ signal }) => api<Leaderboard>("/v1/arena/leaderboard", { query: { category: category || undefined }, signal }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCategory(draft.trim());
  };
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="leaderboard-title">
      <Title order={2} size="h4" id="leaderboard-title" mb="sm">
        Leaderboard
      </Title>
      <Stack>
        <form onSubmit={submit} aria-label="Filter the leaderboard">
          <Group align="flex-end">
            <TextInput label="Category" description="Empty: every battle" value={draft} onChange={(event) => setDraft(event.currentTarget.value)} />
            <Button type="submit" variant="default">
              Show
            </Button>
          </Group>
        </form>
        <QueryState query={board} label="the leaderboard">
          {(data) => (
            <>
              <Text size="sm" data-testid="leaderboard-battles">
                {formatInteger(data.battles)} voted battles{data.category ? ` in ${data.category}` : ""}
              </Text>
              {data.data.length === 0 ? (
                <Text size="sm">No rated battle yet.</Text>
              ) : (
                <ScrollTable minWidth={560} label="Leaderboard">
                  <Table data-testid="leaderboard-table">
                    <Table.Caption>Bradley–Terry rating (mean 1000) with its bootstrap 95% interval; Elo in vote order.</Table.Caption>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Rank</Table.Th>
                        <Table.Th>Model</Table.Th>
                        <Table.Th>Rating</Table.Th>
                        <Table.Th>95% interval</Table.Th>
                        <Table.Th>Elo</Table.Th>
                        <Table.Th>Battles</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {data.data.map((entry) => (
                        <Table.Tr key={entry.model} data-model={entry.model}>
                          <Table.Td>{entry.rank}</Table.Td>
                          <Table.Td>{entry.model}</Table.Td>
                          <Table.Td data-testid="leaderboard-rating">{rating(entry.rating)}</Table.Td>
                          <Table.Td>
                            [{rating(entry.interval[0])}, {rating(entry.interval[1])}]
                          </Table.Td>
                          <Table.Td>{rating(entry.elo)}</Table.Td>
                          <Table.Td data-testid="leaderboard-model-battles">{formatInteger(entry.battles)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollTable>
              )}
            </>
          )}
        </QueryState>
      </Stack>
    </Card>
  );
}
