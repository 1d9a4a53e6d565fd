/** Shareable URL state of the keys page (kept tiny: routes.tsx imports it into the entry). */

export const keyStates = ["active", "revoked", "expired"] as const;
export const keySorts = ["created", "name", "spend"] as const;
export const pageSizes = [10, 25, 50] as const;

export type KeyState = (typeof keyStates)[number];
export type KeySort = (typeof keySorts)[number];

export type KeysSearch = {
  search?: string | undefined;
  status?: KeyState | undefined;
  role?: "admin" | "user" | undefined;
  sort?: KeySort | undefined;
  order?: "asc" | "desc" | undefined;
  page?: number | undefined;
  size?: number | undefined;
};

const oneOf = <T extends string>(options: readonly T[], value: unknown): T | undefined => (options as readonly unknown[]).includes(value) ? (value as T) : undefined;
const positive = (value: unknown) => {
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isInteger(number) && number > 0 ? number : undefined;
};

export function validateKeysSearch(search: Record<string, unknown>): KeysSearch {
  const size = positive(search.size);
  return {
    search: typeof search.search === "string" && search.search !== "" ? search.search : undefined,
    status: oneOf(keyStates, search.status),
    role: oneOf(["admin", "user"] as const, search.role),
    sort: oneOf(keySorts, search.sort),
    order: oneOf(["asc", "desc"] as const, search.order),
    page: positive(search.page),
    size: size !== undefined && (pageSizes as readonly number[]).includes(size) ? size : undefined,
  };
}
