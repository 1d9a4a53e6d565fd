import { Group } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useRouterState } from "@tanstack/react-router";
import { api } from "../../api/client";
import { useMe } from "../../app/session";
import type { ApprovalItem } from "./agent-types";
import { ButtonLink } from "./AnchorLink";

export const approvalsQueryKey = ["approvals"] as const;

/** The most items the inbox answers at once (the API's maximum `limit`). */
export const inboxLimit = 100;

/** The inbox (pending decisions of the key's runs; an admin's: every run's), polled so new requests show up. */
export function useApprovals() {
  return useQuery({
    queryKey: approvalsQueryKey,
    queryFn: () => api<{ object: "list"; data: ApprovalItem[] }>("/v1/approvals", { query: { limit: inboxLimit } }),
    refetchInterval: 5000,
  });
}

type Entry = { to: "/agents" | "/agents/runs" | "/agents/approvals" | "/agents/mcp"; label: string; adminOnly: boolean };

const entries: Entry[] = [
  { to: "/agents", label: "Definitions", adminOnly: false },
  { to: "/agents/runs", label: "Runs", adminOnly: false },
  { to: "/agents/approvals", label: "Approvals", adminOnly: false },
  { to: "/agents/mcp", label: "MCP servers", adminOnly: true },
];

/** The parts of the Agents screen; MCP servers only for admin keys (the API refuses others). */
export function AgentsNav() {
  const me = useMe();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const approvals = useApprovals();
  const pending = approvals.data?.data.length ?? 0;
  const isActive = (to: Entry["to"]) => {
    if (to === "/agents") return pathname === "/agents" || (/^\/agents\/(?!runs|approvals|mcp)/.test(pathname));
    return pathname === to || pathname.startsWith(`${to}/`);
  };
  return (
    <Group component="nav" aria-label="Agents sections" gap="xs">
      {entries
        .filter((entry) => me.is_admin || !entry.adminOnly)
        .map((entry) => (
          <ButtonLink
            key={entry.to}
           
            to={entry.to}
            size="xs"
            variant={isActive(entry.to) ? "filled" : "default"}
            aria-current={isActive(entry.to) ? "page" : undefined}
          >
            {entry.to === "/agents/approvals" && pending > 0 ? `${entry.label} (${pending} pending)` : entry.label}
          </ButtonLink>
        ))}
    </Group>
  );
}
