import { Table } from "@mantine/core";
import type { CSSProperties, ReactNode } from "react";

/**
 * A table that scrolls sideways on narrow screens; its scrolling region is focusable and named, so it can be scrolled
 * with the keyboard (axe `scrollable-region-focusable`).
 */
export function ScrollTable({ minWidth, label, style, children }: { minWidth: number; label: string; style?: CSSProperties; children: ReactNode }) {
  return (
    <Table.ScrollContainer minWidth={minWidth} style={style} scrollAreaProps={{ viewportProps: { tabIndex: 0, role: "region", "aria-label": label } }}>
      {children}
    </Table.ScrollContainer>
  );
}
