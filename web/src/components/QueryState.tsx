import { Alert, Center, Loader } from "@mantine/core";
import type { ReactNode } from "react";
import { errorMessage } from "../api/client";

/** A query's loading and error states; renders `children` once `data` is there. */
export function QueryState<T>({ query, children, label }: { query: { data: T | undefined; error: unknown; isPending: boolean }; children: (data: T) => ReactNode; label: string }) {
  if (query.error) {
    return (
      <Alert color="red" title={`Could not load ${label}`} role="alert">
        {errorMessage(query.error)}
      </Alert>
    );
  }
  if (query.isPending || query.data === undefined) {
    return (
      <Center p="md">
        <Loader size="sm" aria-label={`Loading ${label}`} />
      </Center>
    );
  }
  return <>{children(query.data)}</>;
}

/** An error from a mutation or action, shown where it happened. */
export function ErrorAlert({ error, title = "Request failed" }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert">
      {errorMessage(error)}
    </Alert>
  );
}
