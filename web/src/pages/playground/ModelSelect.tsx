import { Select } from "@mantine/core";
import type { PlaygroundModel } from "./types";

/** A chat model of `GET /v1/models` (embedders are never offered for chat). */
export function ModelSelect({ label, models, value, onChange }: { label: string; models: PlaygroundModel[]; value: string | null; onChange: (model: string | null) => void }) {
  return (
    <Select
      label={label}
      placeholder={models.length === 0 ? "No chat model is available to this key" : "Pick a model"}
      data={models.map((model) => ({ value: model.id, label: model.owned_by === "aiplus" ? model.id : `${model.id} (${model.owned_by})` }))}
      value={value}
      onChange={onChange}
      allowDeselect={false}
      searchable
      nothingFoundMessage="No such chat model"
    />
  );
}
