import { Textarea, type TextareaProps } from "@mantine/core";

/**
 * JSON typed as text in a monospace textarea. Checked when the form is sent (not on blur, so nothing moves under the
 * pointer between pressing and releasing a button); errors come through `error`.
 */
export function JsonTextarea({ onChange, ...props }: Omit<TextareaProps, "onChange"> & { onChange: (value: string) => void }) {
  return <Textarea autosize spellCheck={false} styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }} {...props} onChange={(event) => onChange(event.currentTarget.value)} />;
}
