import { Button, Code, Group, Modal, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { curlCommand, openAiSdkCode } from "./request-snippets";
import type { ChatRequestBody } from "./types";

type Snippet = { title: string; text: string };

/** Copies to the clipboard where the browser allows it; the text stays visible and selectable either way. */
function CopyText({ text }: { text: string }) {
  const [outcome, setOutcome] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome("copied");
    } catch {
      setOutcome("failed");
    }
  }
  return (
    <Group gap="sm">
      <Button size="xs" onClick={() => void copy()}>
        Copy to clipboard
      </Button>
      <Text size="sm" role="status">
        {outcome === "copied" ? "Copied." : outcome === "failed" ? "The browser refused the clipboard: select the text and copy it." : ""}
      </Text>
    </Group>
  );
}

/**
 * "Copy as curl" and "Copy as OpenAI SDK code" for `body`, the exact request last sent (the key is the
 * `$AIPLUS_API_KEY` placeholder). The text is shown in a modal, selectable, with a copy button.
 */
export function RequestCodeButtons({ body, label }: { body: ChatRequestBody | null; label?: string }) {
  const [snippet, setSnippet] = useState<Snippet | null>(null);
  const origin = window.location.origin;
  const suffix = label ? ` (${label})` : "";
  return (
    <>
      <Group gap="xs">
        <Button variant="default" size="xs" disabled={body === null} onClick={() => body && setSnippet({ title: `Request as curl${suffix}`, text: curlCommand(origin, body) })}>
          Copy as curl
        </Button>
        <Button
          variant="default"
          size="xs"
          disabled={body === null}
          onClick={() => body && setSnippet({ title: `Request as OpenAI SDK code (Node)${suffix}`, text: openAiSdkCode(origin, body) })}
        >
          Copy as OpenAI SDK code
        </Button>
      </Group>
      <Modal closeButtonProps={{ "aria-label": "Close" }} opened={snippet !== null} onClose={() => setSnippet(null)} title={snippet?.title ?? ""} size="xl">
        {snippet ? (
          <Stack gap="sm">
            <Text size="sm">The exact body of the last request; set AIPLUS_API_KEY to your key before running it.</Text>
            <Code block data-testid="request-code" tabIndex={0} style={{ userSelect: "text", maxHeight: "60vh", overflow: "auto" }}>
              {snippet.text}
            </Code>
            <CopyText text={snippet.text} />
          </Stack>
        ) : null}
      </Modal>
    </>
  );
}
