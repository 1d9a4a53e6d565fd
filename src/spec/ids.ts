/** A nominal type: a `T` that cannot be mixed up with another brand of `T`. */
export type Brand<T, B extends string> = T & { readonly __brand: B };

/** Database id of an API key (not the secret). */
export type ApiKeyId = Brand<string, "ApiKeyId">;
/** Public name of a model as clients address it (`model` in OpenAI requests). */
export type ModelName = Brand<string, "ModelName">;
/** Id of a registered upstream provider. */
export type ProviderId = Brand<string, "ProviderId">;
/** Id of one ledger record (one per API request). */
export type UsageRecordId = Brand<string, "UsageRecordId">;
/** Id of one running server or CLI process that writes to the ledger. */
export type InstanceId = Brand<string, "InstanceId">;
