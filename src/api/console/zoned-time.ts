import { InvalidRequestError } from "../../spec/index.js";

export { localDate, zonedMidnight } from "../../maas/index.js";

/** Throws a 400 (`param` tz) unless `timeZone` is an IANA time zone this runtime knows (`UTC`, `Asia/Kolkata`). */
export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    throw new InvalidRequestError({ message: `tz must be an IANA time zone such as UTC or Europe/Paris; got ${JSON.stringify(timeZone)}`, param: "tz", code: "invalid_time_zone" });
  }
}
