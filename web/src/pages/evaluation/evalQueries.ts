import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { List, Model } from "../../api/types";
import { type EvalItemList, type EvalRun, type EvalRunList, type EvalTask, isActive } from "./evalTypes";

/** How often live runs are polled (progress survives leaving the page: it is the server's state). */
export const livePollMs = 1000;

export const evalQueryKeys = {
  runs: ["eval-runs"] as const,
  run: (id: string) => ["eval-run", id] as const,
  items: (id: string) => ["eval-items", id] as const,
};

/** The models a run or battle may name: the key's chat models. */
export function useChatModels() {
  return useQuery({
    queryKey: ["models"],
    queryFn: () => api<List<Model>>("/v1/models"),
    select: (list) => list.data.filter((model) => model.kind === "chat").map((model) => model.id),
  });
}

export function useEvalTasks() {
  return useQuery({ queryKey: ["eval-tasks"], queryFn: () => api<List<EvalTask>>("/v1/evals/tasks"), select: (list) => list.data });
}

/** A page of runs, newest first; polled while one of them is live. */
export function useEvalRuns(filter: { task?: string | undefined; offset: number; limit: number }) {
  return useQuery({
    queryKey: [...evalQueryKeys.runs, filter],
    queryFn: ({ signal }) => api<EvalRunList>("/v1/evals", { query: { task: filter.task, offset: filter.offset, limit: filter.limit }, signal }),
    refetchInterval: (query) => (query.state.data?.data.some(isActive) ? livePollMs : false),
  });
}

/** One run; polled until it is finished. */
export function useEvalRun(id: string) {
  return useQuery({
    queryKey: evalQueryKeys.run(id),
    queryFn: ({ signal }) => api<EvalRun>(`/v1/evals/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: (query) => (query.state.data && !isActive(query.state.data) ? false : livePollMs),
  });
}

/** A page of a run's items (server-side paging); polled while the run is live. */
export function useEvalItems(id: string, page: { offset: number; limit: number }, live: boolean) {
  return useQuery({
    queryKey: [...evalQueryKeys.items(id), page],
    queryFn: ({ signal }) => api<EvalItemList>(`/v1/evals/${encodeURIComponent(id)}/items`, { query: page, signal }),
    refetchInterval: live ? livePollMs : false,
    placeholderData: (previous) => previous,
  });
}
