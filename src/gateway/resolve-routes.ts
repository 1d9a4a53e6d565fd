import type { RegisteredModel } from "../runtime/index.js";
import type { ProviderRecord } from "../store/records.js";

/** What serves a model name: the registered local model (any kind) and the providers listing it. */
export type ModelRoutes = {
  local: RegisteredModel | undefined;
  /** Providers whose `models` list the name, by ascending priority (ties: oldest first). */
  providers: ProviderRecord[];
};

export async function resolveRoutes(
  name: string,
  sources: {
    findLocalModel(name: string): Promise<RegisteredModel | undefined>;
    listProviders(): Promise<ProviderRecord[]>;
  },
): Promise<ModelRoutes> {
  const [local, providers] = await Promise.all([sources.findLocalModel(name), sources.listProviders()]);
  const serving = providers
    .filter((provider) => provider.models.includes(name))
    .sort((left, right) => left.priority - right.priority || left.createdAt - right.createdAt);
  return { local, providers: serving };
}

/** A route key per local model and per (provider, model) pair. */
export function localRouteKey(name: string): string {
  return `local:${name}`;
}

export function providerRouteKey(provider: ProviderRecord, name: string): string {
  return `provider:${provider.id}:${name}`;
}
