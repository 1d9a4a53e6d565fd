import type { RegisteredModel } from "../runtime/index.js";
import { sameModelName } from "../spec/index.js";
import type { ProviderRecord } from "../store/records.js";

/** What serves a model name: the registered local model (any kind) and the providers listing it. */
export type ModelRoutes = {
  local: RegisteredModel | undefined;
  /** Providers whose `models` list the name (in any case), by ascending priority (ties: oldest first). */
  providers: ProviderRecord[];
  /** The name as registered: the local model's, else the first provider's spelling, else the name asked for. */
  canonicalName: string;
};

/** How `provider` spells `name` in its model list (upstreams may be case-sensitive); `name` when it lists none. */
export function providerModelId(provider: ProviderRecord, name: string): string {
  return provider.models.find((listed) => sameModelName(listed, name)) ?? name;
}

export async function resolveRoutes(
  name: string,
  sources: {
    findLocalModel(name: string): Promise<RegisteredModel | undefined>;
    listProviders(): Promise<ProviderRecord[]>;
  },
): Promise<ModelRoutes> {
  const [local, providers] = await Promise.all([sources.findLocalModel(name), sources.listProviders()]);
  const serving = providers
    .filter((provider) => provider.models.some((listed) => sameModelName(listed, name)))
    .sort((left, right) => left.priority - right.priority || left.createdAt - right.createdAt);
  const first = serving[0];
  return { local, providers: serving, canonicalName: local?.name ?? (first ? providerModelId(first, name) : name) };
}

/** A route key per local model and per (provider, model) pair. */
export function localRouteKey(name: string): string {
  return `local:${name}`;
}

export function providerRouteKey(provider: ProviderRecord, name: string): string {
  return `provider:${provider.id}:${name}`;
}
