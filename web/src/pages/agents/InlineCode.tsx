import { Code } from "@mantine/core";
import type { ReactNode } from "react";

/** An id or name in monospace that wraps on narrow screens (Mantine's Code scrolls, which needs keyboard access). */
export function InlineCode({ children, title }: { children: ReactNode; title?: string | undefined }) {
  return (
    <Code title={title} style={{ overflow: "visible", overflowWrap: "anywhere" }}>
      {children}
    </Code>
  );
}
