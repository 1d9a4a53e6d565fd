import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from "@tanstack/react-router";
import { ConsoleRoot, NotFoundPage } from "./ConsoleRoot";
import { validateMcpSearch, validateRunListSearch } from "../pages/agents/agents-search";
import { validatePlaygroundSearch } from "../pages/playground/search";
import { validateEvaluationSearch, validateRunSearch } from "../pages/evaluation/search";
import { validateArenaSearch } from "../pages/arena/search";
import { validateKeysSearch } from "../pages/keys/keys-search";
import { validateUsageSearch } from "../pages/usage/usage-search";
import { validateKnowledgeBaseSearch } from "../pages/knowledge/search";
import { validateGuardrailsSearch } from "../pages/guardrails/guardrails-search";

/**
 * Code-based routes (no router plugin): every page is its own chunk, loaded when first visited. The router's base is
 * `/console`, where `aiplus serve` answers `index.html` for any path, so deep links reload.
 */
const rootRoute = createRootRoute({ component: ConsoleRoot, notFoundComponent: NotFoundPage });

const dashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  component: lazyRouteComponent(() => import("../pages/dashboard/DashboardPage"), "DashboardPage"),
});

const playgroundRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/playground",
  validateSearch: validatePlaygroundSearch,
  component: lazyRouteComponent(() => import("../pages/playground/PlaygroundPage"), "PlaygroundPage"),
});

const evaluationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/evaluation",
  validateSearch: validateEvaluationSearch,
  component: lazyRouteComponent(() => import("../pages/evaluation/EvaluationPage"), "EvaluationPage"),
});

const arenaRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/arena",
  validateSearch: validateArenaSearch,
  component: lazyRouteComponent(() => import("../pages/arena/ArenaPage"), "ArenaPage"),
});

const safetyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/safety",
  validateSearch: validateRunSearch,
  component: lazyRouteComponent(() => import("../pages/safety/SafetyPage"), "SafetyPage"),
});

const keysRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/keys",
  validateSearch: validateKeysSearch,
  component: lazyRouteComponent(() => import("../pages/keys/KeysPage"), "KeysPage"),
});

const guardrailsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/guardrails",
  validateSearch: validateGuardrailsSearch,
  component: lazyRouteComponent(() => import("../pages/guardrails/GuardrailsPage"), "GuardrailsPage"),
});

const usageRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/usage",
  validateSearch: validateUsageSearch,
  component: lazyRouteComponent(() => import("../pages/usage/UsagePage"), "UsagePage"),
});

const modelsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/models",
  component: lazyRouteComponent(() => import("../pages/models/ModelsPage"), "ModelsPage"),
});

const providersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/providers",
  component: lazyRouteComponent(() => import("../pages/providers/ProvidersPage"), "ProvidersPage"),
});

// Agents (screen 11): definitions, runs with live traces, the approvals inbox, MCP servers (admin).
const agentsRoutes = [
  createRoute({ getParentRoute: () => rootRoute, path: "/agents", component: lazyRouteComponent(() => import("../pages/agents/AgentListPage"), "AgentListPage") }),
  createRoute({ getParentRoute: () => rootRoute, path: "/agents/new", component: lazyRouteComponent(() => import("../pages/agents/AgentCreatePage"), "AgentCreatePage") }),
  createRoute({ getParentRoute: () => rootRoute, path: "/agents/runs", validateSearch: validateRunListSearch, component: lazyRouteComponent(() => import("../pages/agents/RunListPage"), "RunListPage") }),
  createRoute({ getParentRoute: () => rootRoute, path: "/agents/runs/$runId", component: lazyRouteComponent(() => import("../pages/agents/RunPage"), "RunPage") }),
  createRoute({ getParentRoute: () => rootRoute, path: "/agents/approvals", component: lazyRouteComponent(() => import("../pages/agents/ApprovalsPage"), "ApprovalsPage") }),
  createRoute({ getParentRoute: () => rootRoute, path: "/agents/mcp", validateSearch: validateMcpSearch, component: lazyRouteComponent(() => import("../pages/agents/McpServersPage"), "McpServersPage") }),
  createRoute({ getParentRoute: () => rootRoute, path: "/agents/$agentId", component: lazyRouteComponent(() => import("../pages/agents/AgentPage"), "AgentPage") }),
  createRoute({ getParentRoute: () => rootRoute, path: "/agents/$agentId/edit", component: lazyRouteComponent(() => import("../pages/agents/AgentEditPage"), "AgentEditPage") }),
  createRoute({ getParentRoute: () => rootRoute, path: "/agents/$agentId/versions/$version", component: lazyRouteComponent(() => import("../pages/agents/AgentVersionPage"), "AgentVersionPage") }),
] as const;

// Knowledge bases (screen 7): the list and create form, and one knowledge base's documents, retrieval tester, re-index, grants.
const knowledgeRoutes = [
  createRoute({ getParentRoute: () => rootRoute, path: "/knowledge", component: lazyRouteComponent(() => import("../pages/knowledge/KnowledgeListPage"), "KnowledgeListPage") }),
  createRoute({
    getParentRoute: () => rootRoute,
    path: "/knowledge/$name",
    validateSearch: validateKnowledgeBaseSearch,
    component: lazyRouteComponent(() => import("../pages/knowledge/KnowledgeBasePage"), "KnowledgeBasePage"),
  }),
] as const;

const routeTree = rootRoute.addChildren([dashboardRoute, modelsRoute, providersRoute, keysRoute, guardrailsRoute, usageRoute, playgroundRoute, evaluationRoute, arenaRoute, safetyRoute, ...agentsRoutes, ...knowledgeRoutes]);

export const router = createRouter({ routeTree, basepath: "/console", defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
