import { Typography } from "@mantine/core";
import { memo } from "react";
import { Streamdown } from "streamdown";

const controls = { code: { copy: true, download: false }, table: false, mermaid: false, image: false } as const;

/**
 * Markdown and code of an answer with streamdown (this page's chunk only): while `streaming`, unfinished markdown
 * (an open code fence, half a table) renders sanely and finished blocks are not parsed again.
 */
export const Markdown = memo(function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  return (
    <Typography className="playground-markdown">
      <Streamdown mode={streaming ? "streaming" : "static"} isAnimating={streaming} controls={controls} linkSafety={{ enabled: false }} lineNumbers={false}>
        {text}
      </Streamdown>
    </Typography>
  );
});
