import { Alert, Stack, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useMe } from "../app/session";

/**
 * Renders `children` for admin keys only; a user key that opens an admin page (a typed URL) sees its title and why it
 * cannot use it, and the page makes no admin requests.
 */
export function AdminOnly({ title, children }: { title: string; children: ReactNode }) {
  const me = useMe();
  if (me.is_admin) return <>{children}</>;
  return (
    <Stack>
      <Title order={1}>{title}</Title>
      <Alert title="Admin key needed">
        This page is for admin keys. Sign in with an admin key to manage {title.toLowerCase()}.
      </Alert>
    </Stack>
  );
}
