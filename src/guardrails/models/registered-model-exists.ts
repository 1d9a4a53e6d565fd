import { sameModelName } from "../../spec/index.js";
import { createModelRepository, createProviderRepository, type Database } from "../../store/index.js";

/**
 * Whether a language model of that name is registered: a local chat model, or a model a provider lists (what the
 * gateway can route to). Used to refuse a policy that names a judge or classifier model nobody can call.
 */
export function registeredModelExists(database: Database): (name: string) => Promise<boolean> {
  const models = createModelRepository(database);
  const providers = createProviderRepository(database);
  return async (name) => {
    const local = await models.get(name);
    if (local) return local.kind === "llm";
    return (await providers.list()).some((provider) => provider.models.some((listed) => sameModelName(listed, name)));
  };
}
