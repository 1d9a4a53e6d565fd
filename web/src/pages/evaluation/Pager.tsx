import { Button, Group, Text } from "@mantine/core";
import { formatInteger } from "../../app/format";

/**
 * Previous / next over a server-side list. With `total` it says "Items 1–10 of 42"; without, `hasMore` decides
 * whether a next page exists.
 */
export function Pager({ offset, limit, shown, total, hasMore, noun, onChange }: { offset: number; limit: number; shown: number; total?: number | undefined; hasMore?: boolean | undefined; noun: string; onChange: (offset: number) => void }) {
  const next = total !== undefined ? offset + limit < total : Boolean(hasMore);
  const range = shown === 0 ? `No ${noun}` : `${noun[0]!.toUpperCase()}${noun.slice(1)} ${formatInteger(offset + 1)}–${formatInteger(offset + shown)}`;
  return (
    <Group justify="space-between" mt="xs">
      <Text size="sm" data-testid={`${noun}-range`}>
        {range}
        {total !== undefined ? ` of ${formatInteger(total)}` : ""}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="xs" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
          Previous {noun}
        </Button>
        <Button variant="default" size="xs" disabled={!next} onClick={() => onChange(offset + limit)}>
          Next {noun}
        </Button>
      </Group>
    </Group>
  );
}
