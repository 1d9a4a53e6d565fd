import { Alert, Stack, Tabs, Title } from "@mantine/core";
import { getRouteApi } from "@tanstack/react-router";
import { useMe } from "../../app/session";
import { AuditPanel } from "./AuditPanel";
import type { GuardrailsTab } from "./guardrails-search";
import { PoliciesPanel } from "./PoliciesPanel";

const route = getRouteApi("/guardrails");

function GuardrailsScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const tab: GuardrailsTab = search.tab ?? "policies";
  return (
    <Stack>
      <Title order={1}>Guardrails</Title>
      <Tabs value={tab} onChange={(value) => void navigate({ search: (previous) => ({ ...previous, tab: value === "audit" ? "audit" : undefined }), replace: true })}>
        <Tabs.List>
          <Tabs.Tab value="policies">Policies</Tabs.Tab>
          <Tabs.Tab value="audit">Audit log</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="policies" pt="md">
          {tab === "policies" ? <PoliciesPanel /> : null}
        </Tabs.Panel>
        <Tabs.Panel value="audit" pt="md">
          {tab === "audit" ? <AuditPanel /> : null}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

/** Guardrails (issue 11): policies (edit, versions, delete) and the audit log (admin keys only). */
export function GuardrailsPage() {
  const me = useMe();
  if (!me.is_admin) {
    return (
      <Stack>
        <Title order={1}>Guardrails</Title>
        <Alert color="red" title="Admin key required" role="alert">
          Only an admin key can manage guardrail policies and read the audit log.
        </Alert>
      </Stack>
    );
  }
  return <GuardrailsScreen />;
}
