import { Alert, Badge, Button, Card, Group, NumberInput, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { type ArenaBattle, type ArenaVote, voteLabels } from "./arenaTypes";
import { type BattleSide, useBattle } from "./useBattle";

function AnswerCard({ label, side, revealed }: { label: "A" | "B"; side: BattleSide; revealed: string | undefined }) {
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={`answer-${label}`} data-testid={`answer-${label}`}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5" id={`answer-${label}`}>
          Model {label}
        </Title>
        <Badge variant="filled" autoContrast color={side.error ? "red" : side.finished ? "green" : "blue"}>
          {side.error ? "failed" : side.finished ? "done" : "answering"}
        </Badge>
      </Group>
      {revealed ? (
        <Text size="sm" fw={600} mb="xs" data-testid={`revealed-${label}`}>
          Model {label} was {revealed}
        </Text>
      ) : null}
      <Text size="sm" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }} data-testid={`answer-${label}-text`}>
        {side.text || (side.finished ? "(empty answer)" : "…")}
      </Text>
      {side.error ? (
        <Alert color="red" mt="xs" role="alert" title={`Model ${label} failed`}>
          {side.error}
        </Alert>
      ) : null}
    </Card>
  );
}

/**
 * A blind A/B battle: the server draws two models the key may use and streams both answers as `A` and `B`; nothing
 * on the page or in any answer names them until the vote, which then reveals both.
 */
export function BattlePanel() {
  const queryClient = useQueryClient();
  const battle = useBattle();
  const [prompt, setPrompt] = useState("");
  const [category, setCategory] = useState("");
  const [maxTokens, setMaxTokens] = useState<number | string>(64);
  const vote = useMutation({
    mutationFn: (winner: ArenaVote) => api<ArenaBattle>(`/v1/arena/battles/${encodeURIComponent(battle.state.id ?? "")}/vote`, { method: "POST", body: { winner } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["arena-leaderboard"] }),
  });
  const { phase } = battle.state;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    vote.reset();
    void battle.start({ prompt, category: category.trim() || undefined, max_tokens: typeof maxTokens === "number" ? maxTokens : undefined });
  };
  const revealed = vote.data?.models ?? undefined;
  return (
    <Stack>
      <Card withBorder padding="md" component="section" aria-labelledby="battle-form-title">
        <Title order={2} size="h4" id="battle-form-title" mb="sm">
          New battle
        </Title>
        <form onSubmit={submit} aria-label="Start a battle">
          <Stack gap="sm">
            <Textarea label="Prompt" required autosize minRows={2} maxRows={8} value={prompt} onChange={(event) => setPrompt(event.currentTarget.value)} />
            <Group grow align="flex-start">
              <TextInput label="Category (optional)" description="Rated separately on the leaderboard" value={category} onChange={(event) => setCategory(event.currentTarget.value)} />
              <NumberInput label="Max tokens per answer" value={maxTokens} onChange={setMaxTokens} allowDecimal={false} />
            </Group>
            <Group>
              <Button type="submit" loading={phase === "answering"} disabled={prompt.trim() === ""}>
                Start battle
              </Button>
              {phase === "answering" ? (
                <Button variant="default" onClick={battle.stop}>
                  Stop
                </Button>
              ) : null}
            </Group>
          </Stack>
        </form>
      </Card>
      <ErrorAlert error={battle.state.error} title="The battle could not be run" />
      {phase === "stopped" ? <Text size="sm">Stopped: this battle cannot be voted on. Start a new one.</Text> : null}
      {phase !== "idle" ? (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <AnswerCard label="A" side={battle.state.a} revealed={revealed?.a} />
          <AnswerCard label="B" side={battle.state.b} revealed={revealed?.b} />
        </SimpleGrid>
      ) : null}
      {phase === "ready" && !vote.data ? (
        <Card withBorder padding="md" component="section" aria-labelledby="vote-title">
          <Title order={2} size="h4" id="vote-title" mb="sm">
            Which answer is better?
          </Title>
          <Group>
            {(Object.keys(voteLabels) as ArenaVote[]).map((winner) => (
              <Button key={winner} variant={winner === "a" || winner === "b" ? "filled" : "default"} loading={vote.isPending && vote.variables === winner} disabled={vote.isPending} onClick={() => vote.mutate(winner)}>
                {voteLabels[winner]}
              </Button>
            ))}
          </Group>
          <ErrorAlert error={vote.error} title="The vote was not recorded" />
        </Card>
      ) : null}
      {vote.data ? (
        <Card withBorder padding="md" role="status" aria-labelledby="vote-recorded-title">
          <Title order={2} size="h4" id="vote-recorded-title" mb="xs">
            Vote recorded
          </Title>
          <Text size="sm">
            You voted “{vote.data.winner ? voteLabels[vote.data.winner] : "—"}”. Model A was <strong>{vote.data.models?.a}</strong>, model B was <strong>{vote.data.models?.b}</strong>.
          </Text>
          <Button mt="sm" variant="default" onClick={() => { battle.reset(); vote.reset(); }}>
            New battle
          </Button>
        </Card>
      ) : null}
    </Stack>
  );
}
