import { Button, Code, Group, NativeSelect, Table, Text, Title } from "@mantine/core";
import { Fragment, type ReactNode, useState } from "react";
import { QueryState } from "../../components/QueryState";
import { useEvalItems } from "./evalQueries";
import type { EvalItem } from "./evalTypes";
import { Pager } from "./Pager";
import { ScrollTable } from "./ScrollTable";

/** Page sizes offered; the first page shows the default. */
const pageSizes = [10, 3, 25, 100];

export type ItemColumn = { header: string; cell: (item: EvalItem) => ReactNode };

/**
 * A run's items, one server-side page at a time (`GET /v1/evals/{id}/items?offset&limit`), with each item's full
 * record on demand. `columns` say what a row shows.
 */
export function ItemsBrowser({ runId, live, columns }: { runId: string; live: boolean; columns: ItemColumn[] }) {
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(pageSizes[0]!);
  const [open, setOpen] = useState<number | undefined>(undefined);
  const items = useEvalItems(runId, { offset, limit }, live);
  return (
    <section aria-labelledby={`items-${runId}`}>
      <Group justify="space-between" align="flex-end" mb="xs">
        <Title order={3} size="h5" id={`items-${runId}`}>
          Items
        </Title>
        <NativeSelect
          label="Items per page"
          size="xs"
          value={String(limit)}
          onChange={(event) => {
            setLimit(Number(event.currentTarget.value));
            setOffset(0);
            setOpen(undefined);
          }}
          data={[...pageSizes].sort((left, right) => left - right).map(String)}
        />
      </Group>
      <QueryState query={items} label="the items">
        {(page) => (
          <>
            {page.data.length === 0 ? (
              <Text size="sm">No item is scored yet.</Text>
            ) : (
              <ScrollTable minWidth={640} label="Items">
                <Table data-testid="items-table" verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>#</Table.Th>
                      {columns.map((column) => (
                        <Table.Th key={column.header}>{column.header}</Table.Th>
                      ))}
                      <Table.Th>Record</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {page.data.map((item) => (
                      <Fragment key={item.index}>
                        <Table.Tr data-testid="item-row">
                          <Table.Td>{item.index + 1}</Table.Td>
                          {columns.map((column) => (
                            <Table.Td key={column.header}>{column.cell(item)}</Table.Td>
                          ))}
                          <Table.Td>
                            <Button
                              variant="subtle"
                              size="compact-xs"
                              aria-expanded={open === item.index}
                              aria-label={`${open === item.index ? "Hide" : "Show"} the record of item ${item.index + 1}`}
                              onClick={() => setOpen(open === item.index ? undefined : item.index)}
                            >
                              {open === item.index ? "Hide" : "Show"}
                            </Button>
                          </Table.Td>
                        </Table.Tr>
                        {open === item.index ? (
                          <Table.Tr>
                            <Table.Td colSpan={columns.length + 2}>
                              <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
                                {JSON.stringify(item, null, 2)}
                              </Code>
                            </Table.Td>
                          </Table.Tr>
                        ) : null}
                      </Fragment>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollTable>
            )}
            <Pager offset={offset} limit={limit} shown={page.data.length} total={page.total} noun="items" onChange={(next) => { setOffset(next); setOpen(undefined); }} />
          </>
        )}
      </QueryState>
    </section>
  );
}
