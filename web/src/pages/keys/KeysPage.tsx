import { Alert, Button, Group, Pagination, Stack, Text, Title } from "@mantine/core";
import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { formatInteger } from "../../app/format";
import { useMe } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { CreateKeyModal } from "./CreateKeyModal";
import { EditKeyModal } from "./EditKeyModal";
import { type AdminKey, defaultPageSize, useKeyPage } from "./keys-api";
import type { KeysSearch } from "./keys-search";
import { KeysFilters } from "./KeysFilters";
import { KeysTable } from "./KeysTable";
import { RevokeKeyModal } from "./RevokeKeyModal";

const route = getRouteApi("/keys");

function KeysScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const keys = useKeyPage(search);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<AdminKey>();
  const [revoking, setRevoking] = useState<AdminKey>();
  const size = search.size ?? defaultPageSize;
  const page = search.page ?? 1;
  const change = (changes: Partial<KeysSearch>, keepPage = false) =>
    void navigate({ search: (previous) => ({ ...previous, ...changes, ...(keepPage ? {} : { page: undefined }) }), replace: true });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Keys</Title>
        <Button onClick={() => setCreating(true)}>Create key</Button>
      </Group>
      <KeysFilters search={search} onChange={change} />
      <QueryState query={keys} label="keys">
        {(list) => {
          const pages = Math.max(1, Math.ceil(list.total / size));
          const first = list.total === 0 ? 0 : (page - 1) * size + 1;
          return (
            <Stack>
              <Text size="sm" aria-live="polite" data-testid="keys-count">
                {list.total === 0 ? "No key matches." : `Keys ${formatInteger(first)}–${formatInteger(first + list.data.length - 1)} of ${formatInteger(list.total)}`}
              </Text>
              {list.data.length > 0 ? <KeysTable keys={list.data} onEdit={setEditing} onRevoke={setRevoking} /> : null}
              {pages > 1 ? (
                <Pagination
                  total={pages}
                  value={Math.min(page, pages)}
                  onChange={(value) => change({ page: value === 1 ? undefined : value }, true)}
                  getControlProps={(control) => ({ "aria-label": `${control} page` })}
                  getItemProps={(value) => ({ "aria-label": `Page ${value}` })}
                  aria-label="Key pages"
                />
              ) : null}
            </Stack>
          );
        }}
      </QueryState>
      <CreateKeyModal opened={creating} onClose={() => setCreating(false)} />
      {editing ? <EditKeyModal key={editing.id} apiKey={editing} onClose={() => setEditing(undefined)} /> : null}
      {revoking ? <RevokeKeyModal apiKey={revoking} onClose={() => setRevoking(undefined)} /> : null}
    </Stack>
  );
}

/** Screen 5: API keys (admin keys only). */
export function KeysPage() {
  const me = useMe();
  if (!me.is_admin) {
    return (
      <Stack>
        <Title order={1}>Keys</Title>
        <Alert color="red" title="Admin key required" role="alert">
          Only an admin key can manage API keys. Your key can see its own usage and budget on the Usage page.
        </Alert>
      </Stack>
    );
  }
  return <KeysScreen />;
}
