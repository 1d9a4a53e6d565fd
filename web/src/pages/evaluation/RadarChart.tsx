import { useId } from "react";

/** One polygon: a model's value per axis in [0, 1]; null = not evaluated (left out of the polygon, never drawn as 0). */
export type RadarSeries = { name: string; values: (number | null)[]; color: string };

const size = 320;
const center = size / 2;
const radius = 110;
const labelRadius = radius + 18;

function point(index: number, count: number, fraction: number): [number, number] {
  const angle = -Math.PI / 2 + (2 * Math.PI * index) / Math.max(count, 1);
  return [center + radius * fraction * Math.cos(angle), center + radius * fraction * Math.sin(angle)];
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));
const format = (value: number) => value.toFixed(1);

/**
 * An inline SVG radar chart (no chart library): one axis per label with 25/50/75/100% rings, one translucent polygon
 * per series. Text uses the page's colour, so it reads in light and dark themes; the numbers are in the table beside it.
 */
export function RadarChart({ axes, series, title }: { axes: string[]; series: RadarSeries[]; title: string }) {
  const titleId = useId();
  const count = axes.length;
  const ring = (fraction: number) => axes.map((_, index) => point(index, count, fraction).map(format).join(",")).join(" ");
  return (
    <svg viewBox={`-70 -10 ${size + 140} ${size + 20}`} width="100%" style={{ maxWidth: 460 }} role="img" aria-labelledby={titleId} data-testid="radar-chart">
      <title id={titleId}>{title}</title>
      {[0.25, 0.5, 0.75, 1].map((fraction) => (
        <polygon key={fraction} points={ring(fraction)} fill="none" stroke="var(--mantine-color-gray-5)" strokeWidth={1} />
      ))}
      {axes.map((axis, index) => {
        const [x, y] = point(index, count, 1);
        return <line key={axis} x1={center} y1={center} x2={x} y2={y} stroke="var(--mantine-color-gray-5)" strokeWidth={1} />;
      })}
      {series.map((entry) => {
        const points = entry.values.flatMap((value, index) => (value === null ? [] : [point(index, count, clamp(value)).map(format).join(",")]));
        if (points.length === 0) return null;
        return <polygon key={entry.name} points={points.join(" ")} fill={entry.color} fillOpacity={0.3} stroke={entry.color} strokeWidth={2} data-series={entry.name} />;
      })}
      {axes.map((axis, index) => {
        const angle = -Math.PI / 2 + (2 * Math.PI * index) / Math.max(count, 1);
        const x = center + labelRadius * Math.cos(angle);
        const y = center + labelRadius * Math.sin(angle);
        const anchor = Math.abs(x - center) < 1 ? "middle" : x > center ? "start" : "end";
        return (
          <text key={axis} x={format(x)} y={format(y)} textAnchor={anchor} dominantBaseline="middle" fontSize={13} fill="currentColor">
            {axis}
          </text>
        );
      })}
    </svg>
  );
}
