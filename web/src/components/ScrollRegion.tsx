import { Box } from "@mantine/core";
import type { ReactNode } from "react";

/**
 * A horizontally scrollable area for a wide table on a narrow screen. It is focusable and labelled, so keyboard
 * users can scroll it too (axe: scrollable-region-focusable); the table inside keeps at least `minWidth` pixels.
 */
export function ScrollRegion({ label, minWidth, children, mt }: { label: string; minWidth: number; children: ReactNode; mt?: string }) {
  return (
    <Box role="region" aria-label={label} tabIndex={0} mt={mt} style={{ overflowX: "auto" }}>
      <Box miw={minWidth}>{children}</Box>
    </Box>
  );
}
