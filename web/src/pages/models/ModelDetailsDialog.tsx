import { Code, Modal, Table } from "@mantine/core";
import type { ReactNode } from "react";
import { formatBytes, formatInteger, formatTime } from "../../app/format";
import { contextText, expertsText, modalitiesText } from "./model-figures";
import type { ModelView } from "./types";

/** Everything the registry knows about one model. */
export function ModelDetailsDialog({ model, onClose }: { model: ModelView | undefined; onClose: () => void }) {
  const rows: Array<[string, ReactNode]> = model
    ? [
        ["Kind", model.kind === "llm" ? "Language model" : "Embedding model"],
        ["Architecture", model.architecture],
        ["Parameters", formatInteger(model.parameter_count)],
        ["Quantisation", model.quantization ?? "—"],
        ["Context", contextText(model)],
        ["Embedding length", formatInteger(model.embedding_length)],
        ["Experts (MoE)", expertsText(model)],
        ["Modalities", modalitiesText(model)],
        ["Vocabulary", model.vocabulary_size === null ? "—" : `${formatInteger(model.vocabulary_size)} tokens`],
        ["Chat template", model.has_chat_template ? "Yes" : "No"],
        ["File size", `${formatBytes(model.file_size_bytes)} (${formatInteger(model.file_size_bytes)} bytes)`],
        ["Path", <Code key="path">{model.path}</Code>],
        ["sha256", model.sha256 ? <Code key="sha">{model.sha256}</Code> : "Not recorded (added from a path)"],
        ["State", model.loaded ? `Loaded, ${formatBytes(model.memory_bytes)}, ${model.active_sequences} busy sequences` : "Not loaded (loads on first use)"],
        ["Last used", formatTime(model.last_used_at)],
        ["Registered", formatTime(model.created_at)],
      ]
    : [];
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={model !== undefined} onClose={onClose} title={model ? `Model ${model.name}` : ""} size="lg">
      <Table aria-label={model ? `Details of ${model.name}` : "Model details"} style={{ wordBreak: "break-all" }}>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th scope="row" w={170}>
                {label}
              </Table.Th>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
