import { escapeHtml } from "./escape-html.js";

export type RadarAxis = { label: string; value: number };

export type RadarChartOptions = {
  /** Width and height in px. Defaults to 360. */
  size?: number;
  /** Fill colour of the polygon. Defaults to `#3b82f6`. */
  color?: string;
  title?: string;
};

/**
 * An inline SVG radar chart of values in [0, 1] (clamped), one axis per label, with 25/50/75/100% rings.
 * Self-contained: no scripts, fonts or external references.
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
    .map((_, index) => {
      const [x, y] = point(index, 1);
      return `<line x1="${format(center)}" y1="${format(center)}" x2="${format(x)}" y2="${format(y)}" stroke="#d1d5db" stroke-width="1"/>`;
    })
    .join("");
  const labels = axes
    .map((axis, index) => {
      const [x, y] = point(index, 1.18);
      const anchor = Math.abs(x - center) < 1 ? "middle" : x > center ? "start" : "end";
      return `<text x="${format(x)}" y="${format(y)}" font-size="11" text-anchor="${anchor}" dominant-baseline="middle" fill="#111827">${escapeHtml(axis.label)} ${(axis.value * 100).toFixed(0)}%</text>`;
    })
    .join("");
  const clamp = (value: number) => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
  const polygon = `<polygon points="${axes.map((axis, index) => point(index, clamp(axis.value)).map(format).join(",")).join(" ")}" fill="${escapeHtml(color)}" fill-opacity="0.35" stroke="${escapeHtml(color)}" stroke-width="2"/>`;
  const title = options.title ? `<title>${escapeHtml(options.title)}</title>` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img">${title}${[0.25, 0.5, 0.75, 1].map(ring).join("")}${spokes}${polygon}${labels}</svg>`;
}
