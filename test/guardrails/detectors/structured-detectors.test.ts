import { describe, expect, it } from "vitest";
import { createPiiScanner } from "../../../src/guardrails/detectors/index.js";
import { breakLastDigit, detectionsOf, found, withLuhnDigit } from "./support.js";

describe("e-mail addresses", () => {
  it("finds addresses with their exact span", () => {
    expect(found("EMAIL_ADDRESS", "Write to EwanDawson@dayrep.com, or to first.last+tag@mail.example.co.uk.")).toEqual(["EwanDawson@dayrep.com", "first.last+tag@mail.example.co.uk"]);
    expect(found("EMAIL_ADDRESS", "Ünïcødé: jörg@bücher.de")).toEqual(["jörg@bücher.de"]);
  });
  it("rejects near misses", () => {
    expect(found("EMAIL_ADDRESS", "user@localhost, @handle, a@b, x@.com, name@domain., foo@@bar.com, user@-bad.com")).toEqual([]);
    expect(found("EMAIL_ADDRESS", `${"a".repeat(70)}@example.com`)).toEqual([]);
  });
  it("leaves URL credentials to the secret detector", () => {
    const detections = detectionsOf("postgres://admin:s3cr3tP4ss@db.example.com:5432/app");
    expect(detections.map((detection) => [detection.entityType, detection.value])).toContainEqual(["SECRET", "s3cr3tP4ss"]);
    expect(detections.some((detection) => detection.entityType === "EMAIL_ADDRESS")).toBe(false);
  });
});

describe("phone numbers", () => {
  it("finds international and national layouts, with extensions", () => {
    const text = "Call +1-903-140-4508x769, +41 (0)69 979 80 58, +447700677662, (602)272-9781, 259.735.7502x459, 0496 46 46 70, 28-64-66-98, (72) 754-186 or 450 0840.";
    expect(found("PHONE_NUMBER", text)).toEqual(["+1-903-140-4508x769", "+41 (0)69 979 80 58", "+447700677662", "(602)272-9781", "259.735.7502x459", "0496 46 46 70", "28-64-66-98", "(72) 754-186", "450 0840"]);
  });
  it("rejects dates, times, amounts, IP addresses, versions and bare digit strings", () => {
    const text = "On 2021-03-04 10:15, 8/12/1991 and 12.03.2021 we paid $2 500 000 and €1.234.567; host 10.0.0.12; v1.2.3; order 5551234567; +12 3.";
    expect(found("PHONE_NUMBER", text)).toEqual([]);
  });
  it("does not take a number that another word names", () => {
    expect(found("PHONE_NUMBER", "my driver's license number is 2270-66-1551")).toEqual([]);
    expect(found("PHONE_NUMBER", "we are at 9543 1819 St. John Street")).toEqual([]);
  });
});

describe("payment cards", () => {
  const cards = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "3530111333300000", "30569309025904", "4222222222222", "4030874397740603788"];
  const twelveDigitMaestro = withLuhnDigit("50186466790");
  it("finds Luhn-valid numbers with an issuer prefix, 12 to 19 digits, bare or grouped", () => {
    for (const card of [...cards, twelveDigitMaestro]) expect(found("CREDIT_CARD", `card ${card} expires`)).toEqual([card]);
    expect(found("CREDIT_CARD", "4111 1111 1111 1111 and 5555-5555-5555-4444 and 3782 822463 10005")).toEqual(["4111 1111 1111 1111", "5555-5555-5555-4444", "3782 822463 10005"]);
  });
  it("finds the card inside a longer run of numbers", () => {
    expect(found("CREDIT_CARD", "ref 12 4111 1111 1111 1111 0127")).toEqual(["4111 1111 1111 1111"]);
  });
  it("rejects invalid checksums, unknown prefixes, wrong lengths and mixed separators", () => {
    const text = [...cards.map(breakLastDigit), withLuhnDigit("90000000000000"), withLuhnDigit("41111111111"), "4111 1111-1111 1111", "timestamp 1700000000000"].join(" ");
    expect(found("CREDIT_CARD", text)).toEqual([]);
  });
});

describe("IBANs", () => {
  it("finds electronic and printed IBANs (mod-97 and the country's format)", () => {
    expect(found("IBAN_CODE", "to GB56HXDO88167774656119 or DE89 3704 0044 0532 0130 00, NL91ABNA0417164300.")).toEqual(["GB56HXDO88167774656119", "DE89 3704 0044 0532 0130 00", "NL91ABNA0417164300"]);
  });
  it("rejects a wrong check, a wrong length and unknown countries", () => {
    expect(found("IBAN_CODE", "GB57HXDO88167774656119 DE89370400440532013 XX89370400440532013000 GB56HXDO881677746561190")).toEqual([]);
  });
});

describe("IP addresses", () => {
  it("finds IPv4 and IPv6", () => {
    expect(found("IP_ADDRESS", "from 86.121.97.248 and 2001:db8::ff00:42:8329, also fe80::1ff:fe23:4567:890a.")).toEqual(["86.121.97.248", "2001:db8::ff00:42:8329", "fe80::1ff:fe23:4567:890a"]);
  });
  it("rejects out-of-range octets, versions, times and C++ scopes", () => {
    expect(found("IP_ADDRESS", "256.1.1.1, 1.2.3.4.5, 10:30:15, std::vector, a::b, 1.2.3")).toEqual([]);
  });
});

describe("US social security numbers", () => {
  it("finds ddd-dd-dddd and ddd dd dddd", () => {
    expect(found("US_SSN", "SSN 832-13-6314 or 474 49 7577")).toEqual(["832-13-6314", "474 49 7577"]);
  });
  it("applies the area, group and serial rules", () => {
    expect(found("US_SSN", "000-12-3456 666-12-3456 912-12-3456 123-00-4567 123-45-0000 078-05-1120 123-45 6789 123456789")).toEqual([]);
  });
});

describe("Chinese resident identity numbers", () => {
  it("finds 18-character numbers with the MOD 11-2 check and a real birth date", () => {
    expect(found("CN_RESIDENT_ID", "身份证 11010519491231002X, also 110105194912310029")).toEqual(["11010519491231002X"]);
  });
  it("rejects a wrong check character, an impossible date or an unknown province", () => {
    expect(found("CN_RESIDENT_ID", "110105194913310026 110105194902300025 990105194912310021 11010519491231002Y")).toEqual([]);
  });
});

describe("EU national identifiers", () => {
  it("finds ES DNI/NIE, IT codice fiscale and FR NIR on their own", () => {
    const text = "DNI 12345678Z, 12345678-Z, NIE X1234567L, CF RSSMRA85T10A562S, NIR 2 55 08 14 168 025 38 and 255081416802538.";
    expect(found("EU_NATIONAL_ID", text)).toEqual(["12345678Z", "12345678-Z", "X1234567L", "RSSMRA85T10A562S", "2 55 08 14 168 025 38", "255081416802538"]);
  });
  it("finds NL BSN, DE Steuer-ID and PL PESEL next to a word that names them", () => {
    expect(found("EU_NATIONAL_ID", "BSN 123456782; Steuer-ID: 86 095 742 719; Steueridentifikationsnummer 86095742719; PESEL 44051401359")).toEqual(["123456782", "86 095 742 719", "86095742719", "44051401359"]);
  });
  it("rejects them without the naming word, and wrong checks everywhere", () => {
    expect(found("EU_NATIONAL_ID", "numbers 123456782 86095742719 44051401359")).toEqual([]);
    expect(found("EU_NATIONAL_ID", "DNI 12345678A, CF RSSMRA85T10A562T, NIR 255081416802539, BSN 123456783, Steuer-ID 86095742718, PESEL 44051401358")).toEqual([]);
  });
  it("reports which identifier it is in the detector name", () => {
    const detectors = detectionsOf("CF RSSMRA85T10A562S and PESEL 44051401359", ["EU_NATIONAL_ID"]).map((detection) => detection.detector);
    expect(detectors).toEqual(["it_codice_fiscale", "pl_pesel"]);
  });
});

describe("URLs and domains", () => {
  it("finds URLs with a scheme, www. domains and bare domains with a known top-level domain", () => {
    expect(found("URL", "See https://www.DigitalFairs.se/, (http://example.org/a_(b)), www.example.museum/path and shop.example.com.br.")).toEqual(["https://www.DigitalFairs.se/", "http://example.org/a_(b)", "www.example.museum/path", "shop.example.com.br"]);
  });
  it("leaves file names and e-mail domains alone", () => {
    expect(found("URL", "Open README.md, main.rs and setup.py; mail bob@example.com; e.g. and i.e. are not domains.")).toEqual([]);
  });
});

describe("the scanner", () => {
  it("scans only the entity types asked for", () => {
    const text = "Mail EwanDawson@dayrep.com, card 4111111111111111.";
    expect(createPiiScanner({ entityTypes: ["CREDIT_CARD"] }).scan(text).map((detection) => detection.entityType)).toEqual(["CREDIT_CARD"]);
  });
  it("rejects unknown entity types", () => {
    // Parsed as a caller's configuration would be: the type system never sees the unknown name.
    const options = JSON.parse('{"entityTypes": ["PASSPORT"]}') as Parameters<typeof createPiiScanner>[0];
    expect(() => createPiiScanner(options)).toThrow(/unknown entity type 'PASSPORT'/);
  });
  it("returns non-overlapping detections sorted by start, longer ones winning", () => {
    const text = "Contact EwanDawson@dayrep.com at https://dayrep.com/people/EwanDawson or 832-13-6314.";
    const detections = detectionsOf(text);
    expect(detections.map((detection) => [detection.entityType, detection.value])).toEqual([
      ["EMAIL_ADDRESS", "EwanDawson@dayrep.com"],
      ["URL", "https://dayrep.com/people/EwanDawson"],
      ["US_SSN", "832-13-6314"],
    ]);
  });
  it("bounds every detection by maxDetectionLength", () => {
    const scanner = createPiiScanner({ entityTypes: "all" });
    const text = `https://example.com/${"a".repeat(5000)} ${"-----BEGIN RSA PRIVATE KEY-----\n"}${`${"A".repeat(64)}\n`.repeat(120)}-----END RSA PRIVATE KEY-----`;
    for (const detection of scanner.scan(text)) expect(detection.end - detection.start).toBeLessThanOrEqual(scanner.maxDetectionLength);
  });
});
