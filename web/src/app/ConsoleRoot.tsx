import { Center, Loader, Title, Text, Stack } from "@mantine/core";
import { Outlet } from "@tanstack/react-router";
import { ErrorAlert } from "../components/QueryState";
import { SignInPage } from "../pages/sign-in/SignInPage";
import { ConsoleShell } from "./ConsoleShell";
import { KeyProvider, useSessionQuery } from "./session";

/**
 * Signed out, every URL shows the sign-in form and keeps its path, so a deep link opens its page after sign-in.
 */
export function ConsoleRoot() {
  const session = useSessionQuery();
  if (session.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading the console" />
      </Center>
    );
  }
  if (session.error) {
    return (
      <Center h="100vh" p="md">
        <ErrorAlert error={session.error} title="The console could not reach the server" />
      </Center>
    );
  }
  if (!session.data) return <SignInPage />;
  return (
    <KeyProvider me={session.data.key}>
      <ConsoleShell>
        <Outlet />
      </ConsoleShell>
    </KeyProvider>
  );
}

export function NotFoundPage() {
  return (
    <Stack>
      <Title order={1}>Not found</Title>
      <Text>This page does not exist in the console.</Text>
    </Stack>
  );
}
