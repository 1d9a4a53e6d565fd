import { useCallback, useEffect, useRef, useState } from "react";
import { streamEvents } from "../../api/client";
import type { BattleEvent } from "./arenaTypes";

export type BattleSide = { text: string; finished: boolean; error: string | undefined };

export type BattleState = {
  /** `ready`: both answers are in and stored, the vote is open; `failed`/`stopped`: no vote possible. */
  phase: "idle" | "answering" | "ready" | "failed" | "stopped";
  id: string | undefined;
  a: BattleSide;
  b: BattleSide;
  /** An error before or outside the answers (the request was refused, the connection broke). */
  error: unknown;
};

const emptySide: BattleSide = { text: "", finished: false, error: undefined };
const idle: BattleState = { phase: "idle", id: undefined, a: emptySide, b: emptySide, error: undefined };

export type BattleRequest = { prompt: string; category?: string | undefined; max_tokens?: number | undefined };

/**
 * One streamed battle: both anonymous answers grow as their tokens arrive (`a` / `b` events); the vote opens when
 * the server says both are stored (`arena.battle.ready`). `stop` closes the stream, which ends both generations.
 */
export function useBattle() {
  const [state, setState] = useState<BattleState>(idle);
  const controller = useRef<AbortController | undefined>(undefined);

  const start = useCallback(async (request: BattleRequest) => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    // Only the battle still in hand updates the state (a reset or a new battle makes this one stale).
    const update = (change: (current: BattleState) => BattleState) => {
      if (controller.current === abort) setState(change);
    };
    setState({ ...idle, phase: "answering" });
    let ready = false;
    try {
      for await (const event of streamEvents("/v1/arena/battles", { body: { ...request, stream: true }, signal: abort.signal })) {
        if (event.data === "[DONE]") break;
        const parsed = JSON.parse(event.data) as BattleEvent;
        switch (parsed.object) {
          case "arena.battle":
            update((current) => ({ ...current, id: parsed.id }));
            break;
          case "arena.battle.chunk": {
            const { side, delta, error, finish_reason: finishReason } = parsed;
            update((current) => {
              const previous = current[side];
              const next: BattleSide = {
                text: delta === undefined ? previous.text : previous.text + delta,
                finished: previous.finished || finishReason !== undefined || error !== undefined,
                error: error?.message ?? previous.error,
              };
              return { ...current, [side]: next };
            });
            break;
          }
          case "arena.battle.ready":
            ready = true;
            update((current) => ({ ...current, phase: "ready" }));
            break;
          default:
            parsed satisfies never;
        }
      }
      if (!ready) update((current) => ({ ...current, phase: "failed" }));
    } catch (error) {
      if (abort.signal.aborted) update((current) => ({ ...current, phase: "stopped" }));
      else update((current) => ({ ...current, phase: "failed", error }));
    }
  }, []);

  const stop = useCallback(() => controller.current?.abort(), []);
  const reset = useCallback(() => {
    const current = controller.current;
    controller.current = undefined;
    current?.abort();
    setState(idle);
  }, []);
  // Leaving the page closes the stream (the server then stops both generations).
  useEffect(
    () => () => {
      const current = controller.current;
      controller.current = undefined;
      current?.abort();
    },
    [],
  );

  return { state, start, stop, reset };
}
