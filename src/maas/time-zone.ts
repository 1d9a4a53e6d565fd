import type { DayOffsetSegment } from "../store/index.js";

/** A calendar date (month 1–12). */
export type LocalDate = { year: number; month: number; day: number };

const hourMs = 3_600_000;
/** How far apart offsets are sampled when looking for a change (no zone changes its offset twice in 12 hours). */
const sampleStepMs = 12 * hourMs;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One cached formatter per zone (building one is far slower than using it). */
function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(time: number, timeZone: string) {
  const parts = wallClockFormatter(timeZone).formatToParts(time);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((entry) => entry.type === type)?.value);
  return { year: part("year"), month: part("month"), day: part("day"), hour: part("hour"), minute: part("minute"), second: part("second") };
}

/** The calendar date in `timeZone` at `time` (epoch ms). */
export function localDate(time: number, timeZone: string): LocalDate {
  const { year, month, day } = wallClock(time, timeZone);
  return { year, month, day };
}

/** Offset of `timeZone` from UTC at `time`, in ms (Asia/Kolkata: +19 800 000; America/Los_Angeles in winter: −28 800 000). */
export function zoneOffsetAt(time: number, timeZone: string): number {
  const wall = wallClock(time, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(time / 1000) * 1000;
}

/** Epoch ms of local midnight starting `date` in `timeZone` (day and month may overflow, as with `Date.UTC`). */
export function zonedMidnight(date: LocalDate, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  // The zone's offset at the guess, then at the corrected time (right across a DST change too).
  let time = wall - zoneOffsetAt(wall, timeZone);
  time = wall - zoneOffsetAt(time, timeZone);
  return time;
}

/**
 * The offsets `timeZone` uses from `first` to `last` (epoch ms) as segments for a report by local day: one segment
 * per offset change (daylight saving), each change found to the second.
 */
export function dayOffsetSegments(timeZone: string, first: number, last: number): DayOffsetSegment[] {
  const segments: DayOffsetSegment[] = [{ from: undefined, offsetMs: zoneOffsetAt(first, timeZone) }];
  for (let start = first; start < last; start += sampleStepMs) {
    const end = Math.min(start + sampleStepMs, last);
    const current = segments[segments.length - 1]!.offsetMs;
    const offset = zoneOffsetAt(end, timeZone);
    if (offset !== current) segments.push({ from: changeTime(timeZone, start, end, current), offsetMs: offset });
  }
  return segments;
}

/** The first whole second in (`before`, `after`] at which the offset is no longer `offset` (binary search). */
function changeTime(timeZone: string, before: number, after: number, offset: number): number {
  let low = Math.floor(before / 1000);
  let high = Math.ceil(after / 1000);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zoneOffsetAt(middle * 1000, timeZone) === offset) low = middle;
    else high = middle;
  }
  return high * 1000;
}
