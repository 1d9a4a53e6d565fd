import { decimalModulo, isCalendarDate, iso7064Mod11Of10CheckDigit, weightedSum } from "./checksums.js";

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

/** Spain: DNI (8 digits + control letter) or NIE (X/Y/Z + 7 digits + control letter); the letter is the number mod 23. */
export function isValidSpanishDniOrNie(compact: string): boolean {
  if (compact.length !== 9) return false;
  const prefix = "XYZ".indexOf(compact[0]!);
  const digits = prefix >= 0 ? String(prefix) + compact.slice(1, 8) : compact.slice(0, 8);
  if (!/^[0-9]{8}$/.test(digits)) return false; // fixed-length class: linear
  return dniLetters[Number(digits) % 23] === compact[8];
}

const codiceFiscaleOdd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
const omocodiaLetters = "LMNPQRSTUV";

function codiceFiscaleValue(character: string): number {
  const code = character.charCodeAt(0);
  return code <= 57 ? code - 48 : code - 65;
}

/**
 * Italy: codice fiscale (16 characters: surname/name letters, birth year, month letter, day, municipality, check letter),
 * with omocodia substitutions and the official odd/even check-character tables.
 */
export function isValidCodiceFiscale(value: string): boolean {
  if (!/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(value)) return false; // no nested quantifiers: linear
  const dayCharacters = value.slice(9, 11).replace(/[LMNPQRSTUV]/g, (letter) => String(omocodiaLetters.indexOf(letter)));
  const day = Number(dayCharacters);
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return false;
  let sum = 0;
  for (let index = 0; index < 15; index += 1) {
    const character = value[index]!;
    const position = codiceFiscaleValue(character);
    sum += index % 2 === 0 ? codiceFiscaleOdd[position]! : position;
  }
  return String.fromCharCode(65 + (sum % 26)) === value[15];
}

/**
 * France: NIR (numéro de sécurité sociale): sex (1, 2, or 3/4/7/8 for provisional numbers), year, month (01–12, or
 * 20–42 / 50–99 when unknown), department (2A/2B for Corsica), commune, order, and key = 97 − (number mod 97).
 */
export function isValidFrenchNir(compact: string): boolean {
  if (!/^[1234578][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{8}$/.test(compact)) return false; // fixed-length alternation: linear
  const month = Number(compact.slice(3, 5));
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || (month >= 50 && month <= 99))) return false;
  const department = compact.slice(5, 7);
  const numeric = compact.slice(0, 5) + (department === "2A" ? "19" : department === "2B" ? "18" : department) + compact.slice(7, 13);
  return 97 - decimalModulo(numeric, 97) === Number(compact.slice(13, 15));
}

/** Netherlands: BSN, nine digits passing the 11-proof (weights 9…2 and −1). */
export function isValidDutchBsn(digits: string): boolean {
  if (!/^[0-9]{9}$/.test(digits) || /^0+$/.test(digits)) return false;
  const sum = weightedSum(digits, [9, 8, 7, 6, 5, 4, 3, 2, -1]);
  return sum % 11 === 0;
}

/**
 * Germany: Steuerliche Identifikationsnummer, 11 digits, no leading zero; among the first ten digits exactly one
 * digit appears two or three times and the others at most once; ISO 7064 MOD 11,10 check digit.
 */
export function isValidGermanTaxId(digits: string): boolean {
  if (!/^[1-9][0-9]{10}$/.test(digits)) return false;
  const counts = new Array<number>(10).fill(0);
  for (let index = 0; index < 10; index += 1) counts[digits.charCodeAt(index) - 48]! += 1;
  const repeated = counts.filter((count) => count > 1);
  if (repeated.length !== 1 || repeated[0]! > 3) return false;
  return iso7064Mod11Of10CheckDigit(digits.slice(0, 10)) === digits.charCodeAt(10) - 48;
}

/** Poland: PESEL, 11 digits: birth date (century in the month), serial, sex, check digit (weights 1,3,7,9). */
export function isValidPolishPesel(digits: string): boolean {
  if (!/^[0-9]{11}$/.test(digits)) return false;
  const yearInCentury = Number(digits.slice(0, 2));
  const encodedMonth = Number(digits.slice(2, 4));
  const day = Number(digits.slice(4, 6));
  const centuryOffset = Math.floor(encodedMonth / 20);
  const century = [1900, 2000, 2100, 2200, 1800][centuryOffset];
  if (century === undefined || !isCalendarDate(century + yearInCentury, encodedMonth % 20, day)) return false;
  const check = (10 - (weightedSum(digits, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10)) % 10;
  return check === digits.charCodeAt(10) - 48;
}
