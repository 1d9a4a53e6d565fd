import { Button, Center, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ErrorAlert } from "../../components/QueryState";
import { sessionQueryKey, signIn } from "../../app/session";

/** Sign-in with an API key: sent once, exchanged for an HttpOnly session cookie, never stored in the browser. */
export function SignInPage() {
  const queryClient = useQueryClient();
  const [apiKey, setApiKey] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const session = await signIn(apiKey.trim());
      setApiKey("");
      queryClient.setQueryData(sessionQueryKey, session);
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  }

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder p="xl" w="100%" maw={420} radius="md">
        <form onSubmit={(event) => void submit(event)}>
          <Stack>
            <Title order={1} size="h2">
              Sign in to aiplus
            </Title>
            <Text size="sm" c="dimmed">
              Use an API key. It is exchanged for a session cookie and is not kept in this browser.
            </Text>
            <PasswordInput label="API key" placeholder="aip_…" required autoComplete="off" value={apiKey} onChange={(event) => setApiKey(event.currentTarget.value)} />
            <ErrorAlert error={error} title="Sign-in failed" />
            <Button type="submit" loading={pending} disabled={apiKey.trim() === ""}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
