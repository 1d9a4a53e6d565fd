import { InvalidRequestError, modelNameKey } from "../spec/index.js";
import { createModelRepository, createProviderRepository, type Database } from "../store/index.js";

/** Every model name the gateway can serve (case-folded: names match in any case): local models and providers' models. */
export async function knownModelNames(database: Database): Promise<Set<string>> {
  const local = await createModelRepository(database).list();
  const providers = await createProviderRepository(database).list();
  return new Set([...local.map((model) => model.name), ...providers.flatMap((provider) => provider.models)].map(modelNameKey));
}

/** Throws InvalidRequestError naming the first model that is neither registered nor served by a provider. */
export async function assertKnownModels(database: Database, models: readonly string[], param: string): Promise<void> {
  const known = await knownModelNames(database);
  const unknown = models.find((model) => !known.has(modelNameKey(model)));
  if (unknown !== undefined) {
    throw new InvalidRequestError({
      message: `unknown model ${unknown}: register it with \`aiplus models add\` or \`aiplus providers add\` first`,
      param,
    });
  }
}
