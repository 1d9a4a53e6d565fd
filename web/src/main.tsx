import "@mantine/core/styles.css";
import "@fontsource-variable/inter";
import { type CSSVariablesResolver, createTheme, MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError } from "./api/client";
import { router } from "./app/routes";

const theme = createTheme({
  fontFamily: "'Inter Variable', system-ui, sans-serif",
  primaryColor: "indigo",
  // Darker shades of the primary colour keep text on filled buttons above WCAG AA contrast.
  primaryShade: { light: 7, dark: 8 },
});

/** Mantine's default "dimmed" grey and error red are below 4.5:1; these pass WCAG AA in both themes. */
const resolver: CSSVariablesResolver = (current) => ({
  variables: {},
  light: { "--mantine-color-dimmed": current.colors.gray[7] ?? "#495057", "--mantine-color-error": current.colors.red[9] ?? "#c92a2a" },
  dark: { "--mantine-color-dimmed": current.colors.dark[1] ?? "#b8b8b8", "--mantine-color-error": current.colors.red[4] ?? "#ff8787" },
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx is an answer, not a flaky network: do not retry it.
      retry: (failureCount, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failureCount < 2,
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={resolver}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
