/** Shapes of the `/v1/arena` answers (see the README's "Arena" reference). */

export type ArenaVote = "a" | "b" | "tie" | "both_bad";

/** A battle as its voter sees it: `models` stays null until the vote. */
export type ArenaBattle = {
  id: string;
  object: "arena.battle";
  prompt: string;
  category: string | null;
  answers: { a: string | null; b: string | null };
  status: "answering" | "awaiting_vote" | "voted";
  winner: ArenaVote | null;
  models: { a: string; b: string } | null;
};

/** Events of a streamed battle (`POST /v1/arena/battles` with `stream: true`). */
export type BattleEvent =
  | { id: string; object: "arena.battle"; prompt: string; category: string | null }
  | { id: string; object: "arena.battle.chunk"; side: "a" | "b"; delta?: string; finish_reason?: string | null; error?: { message: string } }
  | { id: string; object: "arena.battle.ready"; status: "awaiting_vote" };

export type LeaderboardEntry = { rank: number; model: string; rating: number; interval: [number, number]; elo: number; battles: number };
export type Leaderboard = { object: "arena.leaderboard"; category: string | null; battles: number; data: LeaderboardEntry[] };

export const voteLabels: Record<ArenaVote, string> = { a: "A is better", b: "B is better", tie: "Tie", both_bad: "Both are bad" };
