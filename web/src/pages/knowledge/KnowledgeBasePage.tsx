import { Alert, Card, SimpleGrid, Stack, Tabs, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useCallback, useEffect, useRef } from "react";
import { formatDate, formatInteger } from "../../app/format";
import { useMe } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { AnchorLink } from "./AnchorLink";
import { DocumentsPanel } from "./DocumentsPanel";
import { GrantsPanel } from "./GrantsPanel";
import { knowledgeKeys, useJobs, useKnowledgeBase } from "./queries";
import { ReindexPanel } from "./ReindexPanel";
import { RetrievalTester } from "./RetrievalTester";
import type { KnowledgeBaseSearch, KnowledgeTab } from "./search";
import { StatusBadge } from "./StatusText";
import { isActiveJob, type KnowledgeBase } from "./types";

const route = getRouteApi("/knowledge/$name");

function Facts({ knowledgeBase }: { knowledgeBase: KnowledgeBase }) {
  const facts: Array<[string, string]> = [
    ["Embedding model", knowledgeBase.embedding_model ?? "—"],
    ["Chunking", knowledgeBase.chunk_size === null ? "—" : `${knowledgeBase.chunk_size} tokens, ${knowledgeBase.chunk_overlap ?? 0} overlap`],
    ["Documents", formatInteger(knowledgeBase.document_count)],
    ["Chunks", formatInteger(knowledgeBase.chunk_count)],
    ["Created", formatDate(knowledgeBase.created_at)],
  ];
  return (
    <Card withBorder padding="sm" component="section" aria-label="Summary">
      <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} spacing="sm" component="dl" m={0}>
        <div>
          <Text component="dt" size="xs" c="dimmed">
            Status
          </Text>
          <Text component="dd" m={0} data-testid="knowledge-base-status">
            <StatusBadge status={knowledgeBase.status} />
          </Text>
        </div>
        {facts.map(([label, value]) => (
          <div key={label}>
            <Text component="dt" size="xs" c="dimmed">
              {label}
            </Text>
            <Text component="dd" size="sm" m={0} data-testid={`fact-${label.toLowerCase().replace(/ /g, "-")}`}>
              {value}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      {knowledgeBase.description ? (
        <Text size="sm" mt="xs">
          {knowledgeBase.description}
        </Text>
      ) : null}
    </Card>
  );
}

/**
 * One knowledge base: documents with per-file status (upload, cancel, retry, delete), the retrieval tester, and for
 * its owner and admins re-indexing and grants. Everything comes from the server (jobs are polled while they run),
 * so statuses and progress survive a reload or leaving the page.
 */
export function KnowledgeBasePage() {
  const { name } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const me = useMe();
  const queryClient = useQueryClient();
  const jobs = useJobs(name);
  const active = (jobs.data?.data ?? []).filter(isActiveJob).length;
  const knowledgeBase = useKnowledgeBase(name, active > 0);

  // When the last running job ends, its results (counts, the new embedding model) are read once more.
  const previousActive = useRef(active);
  useEffect(() => {
    if (previousActive.current > 0 && active === 0) void queryClient.invalidateQueries({ queryKey: knowledgeKeys.base(name) });
    previousActive.current = active;
  }, [active, name, queryClient]);

  const update = useCallback(
    (next: Partial<KnowledgeBaseSearch>) => void navigate({ search: (previous: KnowledgeBaseSearch) => ({ ...previous, ...next }), replace: true }),
    [navigate],
  );
  const tab: KnowledgeTab = search.tab ?? "documents";
  return (
    <Stack>
      <AnchorLink to="/knowledge" size="sm">
        ← All knowledge bases
      </AnchorLink>
      <Title order={1}>{knowledgeBase.data?.name ?? name}</Title>
      <QueryState query={knowledgeBase} label="the knowledge base">
        {(data) => {
          const manages = me.is_admin || data.owner === me.id;
          return (
            <Stack>
              <Facts knowledgeBase={data} />
              {data.status === "unusable" ? (
                <Alert color="red" title="Unusable" role="alert">
                  {data.unusable_reason}
                </Alert>
              ) : null}
              <Tabs value={tab} onChange={(value) => update({ tab: (value as KnowledgeTab | null) ?? undefined })} keepMounted={false}>
                <Tabs.List>
                  <Tabs.Tab value="documents">Documents</Tabs.Tab>
                  <Tabs.Tab value="retrieval">Retrieval tester</Tabs.Tab>
                  {manages ? <Tabs.Tab value="reindex">Re-index</Tabs.Tab> : null}
                  {manages ? <Tabs.Tab value="access">Access</Tabs.Tab> : null}
                </Tabs.List>
                <Tabs.Panel value="documents" pt="md">
                  <Title order={2} size="h4" mb="sm">
                    Documents
                  </Title>
                  <DocumentsPanel reference={name} filter={search.status ?? "all"} page={search.page ?? 1} search={search.q ?? ""} onChange={update} />
                </Tabs.Panel>
                <Tabs.Panel value="retrieval" pt="md">
                  <RetrievalTester reference={name} />
                </Tabs.Panel>
                {manages ? (
                  <Tabs.Panel value="reindex" pt="md">
                    <ReindexPanel knowledgeBase={data} reference={name} />
                  </Tabs.Panel>
                ) : null}
                {manages ? (
                  <Tabs.Panel value="access" pt="md">
                    <GrantsPanel reference={name} />
                  </Tabs.Panel>
                ) : null}
              </Tabs>
            </Stack>
          );
        }}
      </QueryState>
    </Stack>
  );
}
