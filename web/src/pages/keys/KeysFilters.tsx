import { Group, Select, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState } from "react";
import { defaultOrder } from "./keys-api";
import { type KeysSearch, pageSizes } from "./keys-search";

/** Search (name or prefix), state, role, sort, order and page size: all in the URL, all applied by the server. */
export function KeysFilters({ search, onChange }: { search: KeysSearch; onChange: (changes: Partial<KeysSearch>) => void }) {
  const [text, setText] = useState(search.search ?? "");
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if ((debounced.trim() || undefined) !== search.search) onChange({ search: debounced.trim() || undefined });
    // Only a change of the typed text (after a pause) sends a new search.
  }, [debounced]);
  return (
    <Group align="flex-end" gap="sm">
      <TextInput label="Search" placeholder="Name or prefix" value={text} onChange={(event) => setText(event.currentTarget.value)} w={{ base: "100%", xs: 220 }} type="search" />
      <Select
        label="Status"
        data={[
          { value: "all", label: "All" },
          { value: "active", label: "Active" },
          { value: "revoked", label: "Revoked" },
          { value: "expired", label: "Expired" },
        ]}
        value={search.status ?? "all"}
        onChange={(value) => onChange({ status: value === "all" || value === null ? undefined : value })}
        allowDeselect={false}
        w={130}
      />
      <Select
        label="Role"
        data={[
          { value: "all", label: "All" },
          { value: "admin", label: "Admin" },
          { value: "user", label: "User" },
        ]}
        value={search.role ?? "all"}
        onChange={(value) => onChange({ role: value === "admin" || value === "user" ? value : undefined })}
        allowDeselect={false}
        w={110}
      />
      <Select
        label="Sort by"
        data={[
          { value: "created", label: "Created" },
          { value: "name", label: "Name" },
          { value: "spend", label: "Spend" },
        ]}
        value={search.sort ?? "created"}
        onChange={(value) => onChange({ sort: value ?? undefined, order: undefined })}
        allowDeselect={false}
        w={120}
      />
      <Select
        label="Order"
        data={[
          { value: "asc", label: "Ascending" },
          { value: "desc", label: "Descending" },
        ]}
        value={search.order ?? defaultOrder(search.sort)}
        onChange={(value) => onChange({ order: value === "asc" || value === "desc" ? value : undefined })}
        allowDeselect={false}
        w={130}
      />
      <Select
        label="Per page"
        data={pageSizes.map((size) => String(size))}
        value={String(search.size ?? 25)}
        onChange={(value) => onChange({ size: value === null ? undefined : Number(value) })}
        allowDeselect={false}
        w={90}
      />
    </Group>
  );
}
