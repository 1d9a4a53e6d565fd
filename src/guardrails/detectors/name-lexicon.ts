import nlp from "compromise";

/** The parts of compromise's model (shipped inside the npm package) that the name recognizer reads. */
type CompromiseModel = {
  one: { lexicon: Record<string, string | string[]> };
  two: { orgWords: Record<string, unknown>; placeWords: Record<string, unknown> };
};

export type NameLexicon = {
  firstNames: ReadonlySet<string>;
  lastNames: ReadonlySet<string>;
  honorifics: ReadonlySet<string>;
  /** Words with any other part of speech: capitalised, they are not evidence of a name on their own. */
  commonWords: ReadonlySet<string>;
  /** Lower-case phrases (one or more words) → entity. */
  phrases: ReadonlyMap<string, "PERSON" | "LOCATION" | "ORGANIZATION">;
  /** The most words in one phrase. */
  longestPhrase: number;
  /** The first word of every phrase: a quick test before building longer phrases. */
  phraseFirstWords: ReadonlySet<string>;
  organizationWords: ReadonlySet<string>;
};

const personTags = new Set(["Person"]);
const firstNameTags = new Set(["FirstName", "MaleName", "FemaleName"]);
const placeTags = new Set(["Country", "City", "Region", "Place"]);
const organizationTags = new Set(["Organization", "SportsTeam"]);
/** Company-form suffixes compromise does not list among its organization words. */
const extraOrganizationWords = ["gmbh", "ag", "sa", "srl", "spa", "bv", "nv", "oy", "ab", "kg", "llp", "pty", "pvt", "sarl", "sas", "global", "solutions", "technologies", "labs", "ventures"];

let cached: NameLexicon | undefined;

/** Builds the lexicon once from compromise's model. Throws if the model no longer has the expected shape. */
export function nameLexicon(): NameLexicon {
  if (cached !== undefined) return cached;
  const model = (nlp.world() as { model?: CompromiseModel }).model;
  if (model?.one?.lexicon === undefined || model.two?.orgWords === undefined) throw new Error("compromise's model does not have the expected lexicon");
  const firstNames = new Set<string>();
  const lastNames = new Set<string>();
  const honorifics = new Set<string>(["sir", "madam", "miss", "mister", "dame", "lady", "lord"]);
  const commonWords = new Set<string>();
  const phrases = new Map<string, "PERSON" | "LOCATION" | "ORGANIZATION">();
  let longestPhrase = 1;
  for (const [word, value] of Object.entries(model.one.lexicon)) {
    const tags = Array.isArray(value) ? value : [value];
    const tag = tags[0]!;
    if (firstNameTags.has(tag)) firstNames.add(word);
    else if (tag === "LastName") lastNames.add(word);
    else if (tag === "Honorific") honorifics.add(word);
    else if (personTags.has(tag)) phrases.set(word, "PERSON");
    else if (placeTags.has(tag) && (word.length > 3 || tag === "Country")) phrases.set(word, "LOCATION");
    else if (organizationTags.has(tag) && word.length > 2) phrases.set(word, "ORGANIZATION");
    else if (!tags.includes("ProperNoun")) commonWords.add(word);
    longestPhrase = Math.max(longestPhrase, word.split(" ").length);
  }
  const organizationWords = new Set([...Object.keys(model.two.orgWords), ...extraOrganizationWords]);
  const phraseFirstWords = new Set([...phrases.keys()].map((phrase) => phrase.split(" ", 1)[0]!));
  cached = { firstNames, lastNames, honorifics, commonWords, phrases, longestPhrase: Math.min(longestPhrase, 5), phraseFirstWords, organizationWords };
  return cached;
}
