import { Stack, Tabs, Text, Title } from "@mantine/core";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { BattlePanel } from "./BattlePanel";
import { LeaderboardPanel } from "./LeaderboardPanel";
import type { ArenaSearch } from "./search";

/**
 * Arena: blind battles and the leaderboard. The leaderboard (which names models) is fetched only on its own tab, so
 * nothing the battle tab loads names a model before the vote.
 */
export function ArenaPage() {
  const search: ArenaSearch = useSearch({ from: "/arena" });
  const navigate = useNavigate({ from: "/arena" });
  const tab = search.tab ?? "battle";
  return (
    <Stack>
      <Title order={1}>Arena</Title>
      <Text size="sm" c="dimmed">
        Two anonymous models answer the same prompt; vote for the better answer to see which models they were.
      </Text>
      <Tabs value={tab} onChange={(value) => void navigate({ search: { tab: value === "leaderboard" ? "leaderboard" : undefined } })} keepMounted={false} keepMountedMode="display-none">
        <Tabs.List>
          <Tabs.Tab value="battle">Battle</Tabs.Tab>
          <Tabs.Tab value="leaderboard">Leaderboard</Tabs.Tab>
        </Tabs.List>
        {/* The battle stays mounted (hidden) on the leaderboard tab, so a battle in progress is not lost. */}
        <Tabs.Panel value="battle" pt="md" keepMounted>
          <BattlePanel />
        </Tabs.Panel>
        <Tabs.Panel value="leaderboard" pt="md">
          <LeaderboardPanel />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
