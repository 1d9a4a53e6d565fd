export { knowledgeRoutes } from "./knowledge-routes.js";
export { rerankRoute } from "./rerank-route.js";
export { groundChatRequest, withCitations, type ChatGrounding } from "./grounded-chat.js";
export { knowledgeAccessorOf } from "./knowledge-accessor-of.js";
