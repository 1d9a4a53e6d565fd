import type { Detection, EntityType } from "./types.js";

/**
 * One detector over one scanned text. find() appends candidate detections (which may overlap each other);
 * the scanner resolves overlaps. Every find() must be linear in the text length.
 */
export interface Recognizer {
  readonly detector: string;
  readonly entityTypes: readonly (EntityType | `CUSTOM_${string}`)[];
  /** The longest span one detection can have, in UTF-16 units. */
  readonly maxLength: number;
  /** How far before a detection the recognizer looks for context words (0 when it does not). */
  readonly contextLength: number;
  find(text: string, detections: Detection[]): void;
}
