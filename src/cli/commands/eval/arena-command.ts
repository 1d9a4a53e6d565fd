import { readFile, writeFile } from "node:fs/promises";
import { Command } from "commander";
import { loadApiViews } from "../../api-views.js";
import { printJson, printLine, printTable } from "../../output.js";
import { parsePositiveInteger } from "../../parse-options.js";
import { withEvalDatabase } from "./eval-context.js";

type JsonFlag = { json?: boolean };

/** `aiplus arena leaderboard | import | export`: human-preference ratings from this state folder's battles. */
export function arenaCommand(): Command {
  const arena = new Command("arena").description("arena: Bradley–Terry leaderboard of human votes, battle-log import and export");

  arena
    .command("leaderboard")
    .description("Bradley–Terry ratings with bootstrap 95% intervals and ranks, online Elo beside them")
    .option("--category <tag>", "only battles with this category tag")
    .option("--rounds <n>", "bootstrap rounds (default 100)", parsePositiveInteger)
    .option("--json", "print JSON")
    .action(async (options: JsonFlag & { category?: string; rounds?: number }, command: Command) => {
      const { createArenaService } = await import("../../../eval/index.js");
      const board = await withEvalDatabase(command, (_dependencies, database) => createArenaService({ database }).leaderboard({ category: options.category, rounds: options.rounds }));
      if (options.json) {
        printJson((await loadApiViews()).leaderboardView(board));
        return;
      }
      printLine(`${board.battles} battles${board.category ? ` in ${board.category}` : ""}`);
      printTable(
        ["RANK", "MODEL", "RATING", "95% CI", "ELO", "BATTLES"],
        board.entries.map((entry) => [
          String(entry.rank),
          entry.model,
          entry.rating.toFixed(1),
          `[${entry.lower.toFixed(1)}, ${entry.upper.toFixed(1)}]`,
          entry.elo.toFixed(1),
          String(entry.battles),
        ]),
        "no voted battles yet; import a battle log with `aiplus arena import FILE`",
      );
    });

  arena
    .command("import")
    .description("import a battle log (FastChat clean_battle JSON array or JSON lines: model_a, model_b, winner, tstamp, anony)")
    .argument("<file>", "battle log")
    .option("--json", "print JSON")
    .action(async (file: string, options: JsonFlag, command: Command) => {
      const { createArenaService } = await import("../../../eval/index.js");
      const { NotFoundError } = await import("../../../spec/index.js");
      const text = await readFile(file, "utf8").catch((error: unknown) => {
        throw new NotFoundError({ message: `cannot read ${file}: ${(error as Error).message}`, cause: error });
      });
      const result = await withEvalDatabase(command, (_dependencies, database) => createArenaService({ database }).importBattles(text, file));
      if (options.json) printJson({ object: "arena.import", ...result });
      else {
        const notes = [
          ...(result.duplicates > 0 ? [`${result.duplicates} already imported`] : []),
          ...(result.skipped > 0 ? [`${result.skipped} named, non-anonymous battles skipped: they are not rated`] : []),
        ];
        printLine(`imported ${result.imported} battles${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`);
      }
    });

  arena
    .command("export")
    .description("export the voted battles as a FastChat-style JSON battle log")
    .option("--out <file>", "write to this file instead of stdout")
    .action(async (options: { out?: string }, command: Command) => {
      const { createArenaService, serializeBattleLog } = await import("../../../eval/index.js");
      const battles = await withEvalDatabase(command, (_dependencies, database) => createArenaService({ database }).exportBattles());
      const text = serializeBattleLog(battles);
      if (options.out) {
        await writeFile(options.out, text);
        process.stderr.write(`wrote ${battles.length} battles to ${options.out}\n`);
      } else process.stdout.write(text);
    });

  return arena;
}
