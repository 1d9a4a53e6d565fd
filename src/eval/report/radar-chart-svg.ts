import { escapeHtml } from "./escape-html.js";

/** One axis of the chart; `value` undefined: not evaluated (labelled so, left out of the polygon, never drawn as 0%). */
export type RadarAxis = { label: string; value: number | undefined };

export type RadarChartOptions = {
  /** Width and height in px of the chart itself (labels widen the picture as needed). Defaults to 360. */
  size?: number;
  /** Fill colour of the polygon. Defaults to `#3b82f6`. */
  color?: string;
  title?: string;
};

/** Font size of the axis labels in px. */
const labelFontSize = 11;
/** Width of a label glyph as a share of the font size: generous for system sans-serif fonts, so labels are not clipped. */
const glyphWidth = 0.62;
/** Room kept around the labels, in px. */
const margin = 6;

/** A label's text box: `x`/`y` of its anchor point, its anchor and its estimated width. */
type RadarLabelBox = { x: number; y: number; anchor: "start" | "middle" | "end"; width: number; text: string };

/** Estimated horizontal extent [left, right] of a label (the same estimate sizes the viewBox). */
function labelExtent(label: Pick<RadarLabelBox, "x" | "anchor" | "width">): [number, number] {
  switch (label.anchor) {
    case "start":
      return [label.x, label.x + label.width];
    case "end":
      return [label.x - label.width, label.x];
    case "middle":
      return [label.x - label.width / 2, label.x + label.width / 2];
    default:
      return label.anchor satisfies never;
  }
}

/**
 * An inline SVG radar chart of values in [0, 1] (clamped), one axis per label, with 25/50/75/100% rings. The viewBox
 * grows to hold every label. Self-contained: no scripts, fonts or external references.
 */
export function radarChartSvg(axes: readonly RadarAxis[], options: RadarChartOptions = {}): string {
  const size = options.size ?? 360;
  const color = options.color ?? "#3b82f6";
  const center = size / 2;
  const radius = size / 2 - 60;
  const point = (index: number, fraction: number) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * index) / Math.max(axes.length, 1);
    return [center + radius * fraction * Math.cos(angle), center + radius * fraction * Math.sin(angle)] as const;
  };
  const format = (value: number) => value.toFixed(1);
  const ring = (fraction: number) =>
    `<polygon points="${axes.map((_, index) => point(index, fraction).map(format).join(",")).join(" ")}" fill="none" stroke="#d1d5db" stroke-width="1"/>`;
  const spokes = axes
    .map((axis, index) => {
      const [x, y] = point(index, 1);
      const dash = axis.value === undefined ? ' stroke-dasharray="3 3"' : "";
      return `<line x1="${format(center)}" y1="${format(center)}" x2="${format(x)}" y2="${format(y)}" stroke="#d1d5db" stroke-width="1"${dash}/>`;
    })
    .join("");
  const boxes: RadarLabelBox[] = axes.map((axis, index) => {
    const [x, y] = point(index, 1.18);
    const anchor = Math.abs(x - center) < 1 ? "middle" : x > center ? "start" : "end";
    const text = `${axis.label} ${axis.value === undefined ? "not evaluated" : `${(axis.value * 100).toFixed(0)}%`}`;
    return { x, y, anchor, width: text.length * labelFontSize * glyphWidth, text };
  });
  const labels = boxes
    .map((box, index) => {
      const fill = axes[index]?.value === undefined ? "#6b7280" : "#111827";
      return `<text x="${format(box.x)}" y="${format(box.y)}" font-size="${labelFontSize}" text-anchor="${box.anchor}" dominant-baseline="middle" fill="${fill}">${escapeHtml(box.text)}</text>`;
    })
    .join("");
  const clamp = (value: number) => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
  const evaluated = axes.flatMap((axis, index) => (axis.value === undefined ? [] : [point(index, clamp(axis.value)).map(format).join(",")]));
  const polygon =
    evaluated.length === 0
      ? ""
      : `<polygon points="${evaluated.join(" ")}" fill="${escapeHtml(color)}" fill-opacity="0.35" stroke="${escapeHtml(color)}" stroke-width="2"/>`;
  const title = options.title ? `<title>${escapeHtml(options.title)}</title>` : "";
  // The picture: the chart's square plus every label's box, with a margin.
  const extents = boxes.map(labelExtent);
  const left = Math.floor(Math.min(0, ...extents.map(([start]) => start - margin)));
  const right = Math.ceil(Math.max(size, ...extents.map(([, end]) => end + margin)));
  const top = Math.floor(Math.min(0, ...boxes.map((box) => box.y - labelFontSize / 2 - margin)));
  const bottom = Math.ceil(Math.max(size, ...boxes.map((box) => box.y + labelFontSize / 2 + margin)));
  const width = right - left;
  const height = bottom - top;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${left} ${top} ${width} ${height}" role="img">${title}${[0.25, 0.5, 0.75, 1].map(ring).join("")}${spokes}${polygon}${labels}</svg>`;
}
