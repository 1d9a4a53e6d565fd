export { createOpenAICompatibleEmbeddingModel, type OpenAICompatibleEmbeddingModelOptions } from "./openai-compatible-embedding-model.js";
export {
  createOpenAICompatibleLanguageModel,
  openAICompatibleProvider,
  type OpenAICompatibleLanguageModelOptions,
} from "./openai-compatible-language-model.js";
export { providerOptionsKey } from "./build-request-body.js";
