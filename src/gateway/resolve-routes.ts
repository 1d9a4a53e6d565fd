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

/** Providers by ascending priority (ties: the oldest first): the one order of routes and listings. */
export function byPriority(providers: readonly ProviderRecord[]): ProviderRecord[] {
  return [...providers].sort((left, right) => left.priority - right.priority || left.createdAt - right.createdAt);
}

export async function resolveRoutes(
  name: string,
  sources: {
    findLocalModel(name: string): Promise<RegisteredModel | undefined>;
    listProviders(): Promise<ProviderRecord[]>;
  },
): Promise<ModelRoutes> {
  const [local, providers] = await Promise.all([sources.findLocalModel(name), sources.listProviders()]);
  const serving = byPriority(providers.filter((provider) => provider.models.some((listed) => sameModelName(listed, name))));
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

/** The engine behind a provider (see `Route.upstream`): its id and base URL, so a changed URL counts as a new engine. */
export function providerUpstreamKey(provider: ProviderRecord): string {
  return `provider:${provider.id}@${provider.baseUrl}`;
}

/** The local engine (see `Route.upstream`). */
export const localUpstreamKey = "local";

/** The local route's tier: before every provider (whose tier is its priority). */
export const localTier = Number.NEGATIVE_INFINITY;
