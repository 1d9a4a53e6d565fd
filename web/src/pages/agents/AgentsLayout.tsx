import { Stack } from "@mantine/core";
import type { ReactNode } from "react";
import classes from "./agents.module.css";
import { AgentsNav } from "./AgentsNav";

/** Every Agents page: the section links, then the page. */
export function AgentsLayout({ children }: { children: ReactNode }) {
  return (
    <Stack className={classes.page}>
      <AgentsNav />
      {children}
    </Stack>
  );
}
