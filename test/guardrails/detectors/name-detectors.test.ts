import { describe, expect, it } from "vitest";
import { detectionsOf } from "./support.js";

function entities(text: string): [string, string][] {
  return detectionsOf(text, ["PERSON", "LOCATION", "ORGANIZATION"]).map((detection) => [detection.entityType, detection.value]);
}

describe("names, places and organisations (baseline)", () => {
  it("finds people by known first names, honorifics and greetings", () => {
    expect(entities("Hi David, please forward this to Mr. Fábio Barros and Alice Goldberg's team.")).toEqual([
      ["PERSON", "David"],
      ["PERSON", "Fábio Barros"],
      ["PERSON", "Alice Goldberg"],
    ]);
    expect(entities("Signed by Faina D. Yefremova.")).toEqual([["PERSON", "Faina D. Yefremova"]]);
  });

  it("finds countries, cities and organisations from compromise's lexicon and organisation words", () => {
    expect(entities("She moved from Amsterdam to Denmark and joined Rand Corporation.")).toEqual([
      ["LOCATION", "Amsterdam"],
      ["LOCATION", "Denmark"],
      ["ORGANIZATION", "Rand Corporation"],
    ]);
  });

  it("finds street addresses and unit designators", () => {
    expect(entities("Ship it to 29 Rue de Tanger, Suite 399, or to Strickstrasse 61, or 221 Baker Street.")).toEqual([
      ["LOCATION", "29 Rue de Tanger"],
      ["LOCATION", "Suite 399"],
      ["LOCATION", "Strickstrasse 61"],
      ["LOCATION", "221 Baker Street"],
    ]);
  });

  it("leaves capitalised common words, sentence starts and shouting alone", () => {
    const text = "Capitalized words like Wisdom and Discipline are often mistaken with names. God gave rock and roll to you. Excuse me, Sir bot, I don't like this. WHAT DO I PRESS NEXT?";
    expect(entities(text)).toEqual([]);
  });
});
