/** Provider part of the embedding model ids this service stores: models resolved by name through the gateway. */
const gatewayPrefix = "gateway/";

/** The generation / cache id of a public model name (`gateway/<name>`, what `embeddingModelKey` gives the gateway's model). */
export function embeddingModelIdOf(modelName: string): string {
  return `${gatewayPrefix}${modelName}`;
}

/** The public model name of a stored embedding model id (ids of other providers are returned whole). */
export function embeddingModelNameOf(embeddingModelId: string): string {
  return embeddingModelId.startsWith(gatewayPrefix) ? embeddingModelId.slice(gatewayPrefix.length) : embeddingModelId;
}
