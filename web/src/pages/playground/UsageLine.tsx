import { Text } from "@mantine/core";
import { formatDollars, formatInteger } from "../../app/format";
import { usageCost } from "./cost";
import type { ChatUsage, ModelPricing } from "./types";

/** Tokens and cost of one answer, from the stream's final `usage` chunk and the model's price. */
export function UsageLine({ usage, pricing }: { usage: ChatUsage | null; pricing: ModelPricing | null }) {
  if (!usage) return null;
  const cost = usageCost(usage, pricing);
  return (
    <Text size="xs" c="dimmed" data-testid="usage">
      Tokens: {formatInteger(usage.prompt_tokens)} prompt + {formatInteger(usage.completion_tokens)} completion = {formatInteger(usage.total_tokens)} · Cost:{" "}
      <span data-testid="usage-cost">{cost === null ? "free (no price set)" : formatDollars(cost)}</span>
    </Text>
  );
}
