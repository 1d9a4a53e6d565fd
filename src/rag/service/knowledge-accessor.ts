/**
 * Who acts on knowledge bases: an API key (`keyId`), or the local operator (CLI, `keyId` undefined). Admin keys and the
 * local operator see every knowledge base; other keys see those they own or were granted.
 */
export type KnowledgeAccessor = { keyId: string | undefined; isAdmin: boolean };

/** The owner id of knowledge bases the local operator creates. */
export const localOwnerId = "local";

/** The CLI's accessor. */
export const localOperator: KnowledgeAccessor = { keyId: undefined, isAdmin: true };

/** The owner id a new knowledge base of this accessor gets. */
export function ownerIdOf(accessor: KnowledgeAccessor): string {
  return accessor.keyId ?? localOwnerId;
}
