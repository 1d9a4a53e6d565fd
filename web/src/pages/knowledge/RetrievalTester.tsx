import { Badge, Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Text, Textarea, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client";
import { ErrorAlert } from "../../components/QueryState";
import { knowledgeBasePath, useModels } from "./queries";
import type { Passage, QueryAnswer, RetrievalMode } from "./types";

type QueryBody = { query: string; mode: RetrievalMode; top_k: number; rerank_model?: string };

const modes: Array<{ value: RetrievalMode; label: string }> = [
  { value: "hybrid", label: "Hybrid (lexical + vector)" },
  { value: "lexical", label: "Lexical (BM25)" },
  { value: "vector", label: "Vector (embeddings)" },
];

/** Scores with four decimals (an RRF score is about 1/61); `—` where that stage did not run. */
function score(value: number | null): string {
  return value === null ? "—" : value.toFixed(4);
}

function PassageCard({ passage, rank }: { passage: Passage; rank: number }) {
  const where = [passage.heading, passage.page === null ? undefined : `page ${passage.page}`].filter(Boolean).join(" · ");
  const scores: Array<[string, string]> = [
    ["Lexical (BM25)", score(passage.lexical_score)],
    ["Vector (cosine)", score(passage.vector_similarity)],
    ["Hybrid (RRF)", score(passage.hybrid_score)],
    ["Rerank", score(passage.rerank_score)],
  ];
  return (
    <Card withBorder padding="sm" component="li" data-testid="passage">
      <Group justify="space-between" wrap="wrap" mb={4}>
        <Group gap="xs">
          <Badge variant="outline" color="gray">
            #{rank}
          </Badge>
          <Text fw={600} size="sm" data-testid="passage-document">
            {passage.document}
          </Text>
          {where ? (
            <Text size="xs" c="dimmed" data-testid="passage-where">
              {where}
            </Text>
          ) : null}
        </Group>
        <Text size="xs" data-testid="passage-score">
          score {score(passage.score)}
        </Text>
      </Group>
      <Text size="sm" style={{ whiteSpace: "pre-wrap" }} lineClamp={6}>
        {passage.text}
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs" mt="xs" component="dl" style={{ margin: 0 }}>
        {scores.map(([label, value]) => (
          <div key={label}>
            <Text component="dt" size="xs" c="dimmed">
              {label}
            </Text>
            <Text component="dd" size="sm" m={0} data-testid={`score-${label.split(" ")[0]!.toLowerCase()}`}>
              {value}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Card>
  );
}

/** Query → ranked passages with each stage's score, the document and its heading or page. */
export function RetrievalTester({ reference }: { reference: string }) {
  const models = useModels();
  const [query, setQuery] = useState("");
  const [mode, setMode] = useState<RetrievalMode>("hybrid");
  const [rerankModel, setRerankModel] = useState<string | null>(null);
  const [topK, setTopK] = useState<string | number>(5);
  const search = useMutation({ mutationFn: (body: QueryBody) => api<QueryAnswer>(`${knowledgeBasePath(reference)}/query`, { method: "POST", body }) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: QueryBody = { query, mode, top_k: typeof topK === "number" ? topK : Number(topK) };
    if (rerankModel) body.rerank_model = rerankModel;
    search.mutate(body);
  };
  const answer = search.data;
  return (
    <Stack>
      <Title order={2} size="h4">
        Retrieval tester
      </Title>
      <form onSubmit={submit} aria-label="Retrieval test">
        <Stack gap="sm">
          <Textarea label="Query" required autosize minRows={2} maxRows={6} value={query} onChange={(event) => setQuery(event.currentTarget.value)} />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select label="Mode" data={modes} value={mode} onChange={(value) => setMode((value) ?? "hybrid")} allowDeselect={false} />
            <Select
              label="Rerank model"
              placeholder="No reranking"
              data={(models.data?.data ?? []).map((model) => model.id)}
              value={rerankModel}
              onChange={setRerankModel}
              clearable
              searchable
            />
            <NumberInput label="Top K" min={1} max={100} allowDecimal={false} value={topK} onChange={setTopK} />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={search.isPending}>
              Search
            </Button>
          </Group>
        </Stack>
      </form>
      <ErrorAlert error={search.error} title="The query failed" />
      {answer ? (
        <section aria-label="Ranked passages">
          <Text size="sm" mb="xs" role="status" data-testid="passage-count">
            {answer.data.length === 0 ? "Nothing relevant found." : `${answer.data.length} passage${answer.data.length === 1 ? "" : "s"} (${answer.mode})`}
          </Text>
          <Stack component="ol" gap="sm" style={{ listStyle: "none", padding: 0, margin: 0 }}>
            {answer.data.map((passage, index) => (
              <PassageCard key={passage.chunk_id} passage={passage} rank={index + 1} />
            ))}
          </Stack>
        </section>
      ) : null}
    </Stack>
  );
}
