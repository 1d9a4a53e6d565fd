import { InvalidRequestError } from "../../spec/index.js";

/** Throws a 400 (`param` tz) unless `timeZone` is an IANA time zone this runtime knows (`UTC`, `Asia/Kolkata`). */
export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    throw new InvalidRequestError({ message: `tz must be an IANA time zone such as UTC or Europe/Paris; got ${JSON.stringify(timeZone)}`, param: "tz", code: "invalid_time_zone" });
  }
}

type LocalDate = { year: number; month: number; day: number };

/** The calendar date in `timeZone` at `time` (epoch ms). */
export function localDate(time: number, timeZone: string): LocalDate {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" }).formatToParts(time);
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value);
  return { year: part("year"), month: part("month"), day: part("day") };
}

/** Epoch ms of local midnight starting `date` in `timeZone` (day and month may overflow, as with `Date.UTC`). */
export function zonedMidnight(date: LocalDate, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  // The zone's offset at the guess, then at the corrected time (right across a DST change too).
  let time = wall - offsetAt(wall, timeZone);
  time = wall - offsetAt(time, timeZone);
  return time;
}

/** Offset of `timeZone` from UTC at `time`, in ms (Asia/Kolkata: +19 800 000). */
function offsetAt(time: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(time);
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value);
  const asUtc = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return asUtc - Math.floor(time / 1000) * 1000;
}
