/** Calendar dates (`YYYY-MM-DD`) in the browser's time zone; the server turns them into local midnights (`tz`). */

const pad = (value: number) => String(value).padStart(2, "0");

/** Today's date where the browser is. */
export function localToday(): string {
  const now = new Date();
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** `date` plus `days` calendar days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Every date from `from` to `to` inclusive (at most `limit`). */
export function datesBetween(from: string, to: string, limit = 400): string[] {
  const dates: string[] = [];
  for (let date = from; date <= to && dates.length < limit; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/** A date as the browser's locale writes it (`Mar 7, 2026`), read as a calendar date (not a time). */
export function formatCalendarDate(date: string): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(Date.UTC(year, month - 1, day)));
}
