import type { KeyPrincipal } from "../../maas/index.js";
import type { KnowledgeAccessor } from "../../rag/index.js";

/** The knowledge-base accessor of an authenticated API key. */
export function knowledgeAccessorOf(principal: KeyPrincipal): KnowledgeAccessor {
  return { keyId: principal.id, isAdmin: principal.isAdmin };
}
