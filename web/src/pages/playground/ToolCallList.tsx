import { Code, Stack, Text } from "@mantine/core";
import type { ToolCall } from "./types";

/** Tool calls the model made, with their arguments as it wrote them. */
export function ToolCallList({ toolCalls }: { toolCalls: ToolCall[] }) {
  if (toolCalls.length === 0) return null;
  return (
    <Stack gap={4} data-testid="tool-calls">
      {toolCalls.map((call, index) => (
        <div key={call.id ?? index}>
          <Text size="sm" fw={600}>
            Tool call: {call.name}
          </Text>
          <Code block>{call.arguments || "{}"}</Code>
        </div>
      ))}
    </Stack>
  );
}
