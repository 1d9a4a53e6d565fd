import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from "@tanstack/react-router";
import { ConsoleRoot, NotFoundPage } from "./ConsoleRoot";

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

const routeTree = rootRoute.addChildren([dashboardRoute]);

export const router = createRouter({ routeTree, basepath: "/console", defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
