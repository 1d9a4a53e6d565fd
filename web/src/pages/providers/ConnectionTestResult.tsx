import { Alert, Text } from "@mantine/core";
import { formatInteger } from "../../app/format";
import type { ConnectionTest } from "./types";

/** A connection test's outcome: what the upstream offers, or its own error text. */
export function ConnectionTestResult({ result }: { result: ConnectionTest }) {
  const check = result.check === "models" ? "GET /models" : "a 1-token chat";
  if (!result.ok) {
    return (
      <Alert color="red" title={`Connection failed${result.status === null ? "" : ` (HTTP ${result.status})`}`} role="alert" data-testid="connection-test">
        <Text size="sm" style={{ wordBreak: "break-word" }}>
          {result.error}
        </Text>
        <Text size="xs" mt={4}>
          Checked with {check} in {formatInteger(result.latency_ms)} ms.
        </Text>
      </Alert>
    );
  }
  return (
    <Alert title="Connected" role="status" data-testid="connection-test">
      <Text size="sm">
        The upstream answered {check} with HTTP {result.status} in {formatInteger(result.latency_ms)} ms.
      </Text>
      {result.models ? <Text size="sm">It offers: {result.models.length === 0 ? "no model" : result.models.join(", ")}.</Text> : null}
      {result.missing_models && result.missing_models.length > 0 ? <Text size="sm">Not offered by it: {result.missing_models.join(", ")}.</Text> : null}
    </Alert>
  );
}
