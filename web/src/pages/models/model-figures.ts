import { formatInteger } from "../../app/format";
import type { ModelView } from "./types";

/** `2 of 4 experts per token`, or `—` for a dense model. */
export function expertsText(model: Pick<ModelView, "expert_count" | "expert_used_count">): string {
  if (model.expert_count === null) return "—";
  return model.expert_used_count === null ? `${model.expert_count} experts` : `${model.expert_used_count} of ${model.expert_count} per token`;
}

/** `text → text`, `text → embedding`. */
export function modalitiesText(model: Pick<ModelView, "modalities">): string {
  return `${model.modalities.input.join(", ")} → ${model.modalities.output.join(", ")}`;
}

export function contextText(model: Pick<ModelView, "context_length">): string {
  return model.context_length === null ? "—" : `${formatInteger(model.context_length)} tokens`;
}

/** Seconds as `45 s`, `3 min 20 s`, `1 h 5 min`. */
export function durationText(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}
