/** Check-digit algorithms for the identifiers the detectors validate. All take ASCII digit strings. */

/** Luhn (ISO/IEC 7812-1), used by payment cards. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let value = digits.charCodeAt(index) - 48;
    if (double) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 7064 MOD 11-2 check character (0–9 or X) of the digits, as used by the Chinese resident identity card. */
export function iso7064Mod11Of2CheckCharacter(digits: string): string {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    sum = ((sum + (digits.charCodeAt(index) - 48)) * 2) % 11;
  }
  const check = (12 - sum) % 11;
  return check === 10 ? "X" : String(check);
}

/** ISO 7064 MOD 11,10 check digit, as used by the German tax identification number (Steuer-ID). */
export function iso7064Mod11Of10CheckDigit(digits: string): number {
  let product = 10;
  for (let index = 0; index < digits.length; index += 1) {
    let sum = (digits.charCodeAt(index) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = 11 - product;
  return check === 10 ? 0 : check;
}

/** The remainder of a long decimal number modulo m, digit by digit (no precision loss). */
export function decimalModulo(digits: string, modulus: number): number {
  let remainder = 0;
  for (let index = 0; index < digits.length; index += 1) {
    remainder = (remainder * 10 + (digits.charCodeAt(index) - 48)) % modulus;
  }
  return remainder;
}

/** Weighted digit sum. */
export function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < weights.length; index += 1) sum += (digits.charCodeAt(index) - 48) * weights[index]!;
  return sum;
}

/** Whether year-month-day is a real calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}
