/**
 * stream_render_ok of bench:console: a streamed playground reply renders at the rate tokens arrive without
 * re-rendering the transcript per token. In a signed-in playground with one finished turn on screen, a long reply is
 * streamed while the page records, until the reply is final:
 * - the streamed answer's text length at every DOM change (how many distinct renders the reply took),
 * - DOM mutations inside the earlier, finished messages (must be 0: no re-render of the transcript per token),
 * - every animation frame's timestamp (the longest gap: a frame blocked by rendering),
 * and, from the network, how many content chunks the server sent. OK when the earlier messages were untouched, the
 * reply was rendered incrementally (at least 3 growing renders; at most one render per frame is the design), and no
 * frame between its first and last render was blocked for more than 100 ms.
 */
import type { Browser, Page } from "playwright-core";
import type { ConsoleServer } from "../e2e/support/console-server.js";

type Cookie = { name: string; value: string; url: string };

/** Installed in the page before the measured reply: marks the finished messages and records renders and frames. */
const recorderScript = `(() => {
  const conversation = document.querySelector('[data-testid="conversation"]');
  for (const message of conversation.querySelectorAll('[data-testid="assistant-message"], [data-testid="user-message"]')) message.setAttribute("data-bench-earlier", "");
  const state = { lengths: [], updateTimes: [], earlierMutations: 0, frames: [], recording: true };
  window.benchStream = state;
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      const target = mutation.target instanceof Element ? mutation.target : mutation.target.parentElement;
      if (target && target.closest("[data-bench-earlier]")) state.earlierMutations += 1;
    }
    const answer = conversation.querySelector('[data-testid="streaming-answer"]');
    const length = answer && answer.textContent ? answer.textContent.length : 0;
    if (length > 0 && state.lengths[state.lengths.length - 1] !== length) {
      state.lengths.push(length);
      state.updateTimes.push(performance.now());
    }
  }).observe(conversation, { subtree: true, childList: true, characterData: true, attributes: true });
  const frame = (time) => {
    state.frames.push(time);
    if (state.recording) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})()`;

async function chooseModel(page: Page, model: string) {
  const select = page.getByRole("combobox", { name: "Model", exact: true });
  await select.click();
  await page.getByRole("option", { name: model, exact: true }).click();
}

async function send(page: Page, text: string) {
  await page.getByLabel("Message").fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

export async function measureStreamRendering({ browser, cookie }: { browser: Browser; cookie: Cookie; server: ConsoleServer }): Promise<{ ok: boolean; summary: string }> {
  const context = await browser.newContext();
  await context.addCookies([cookie]);
  const page = await context.newPage();
  try {
    await page.goto(`${cookie.url}/console/playground`);
    await chooseModel(page, "stories");
    await page.getByLabel("Max tokens").fill("32");
    await send(page, "Once upon a time");
    await page.getByTestId("assistant-message").first().getByTestId("usage").waitFor();

    await page.getByLabel("Max tokens").fill("400");
    // A string, not a function: tsx's compiled functions reference helpers that do not exist in the page.
    await page.evaluate(recorderScript);
    const response = page.waitForResponse((candidate) => candidate.url().endsWith("/v1/chat/completions") && candidate.request().method() === "POST");
    await send(page, "Once upon a time");
    const body = await (await response).text();
    await page.getByTestId("assistant-message").nth(1).getByTestId("usage").waitFor();
    const state = await page.evaluate<{ lengths: number[]; updateTimes: number[]; earlierMutations: number; frames: number[] }>("(() => { window.benchStream.recording = false; return window.benchStream; })()");
    const contentChunks = body.split("\n").filter((line) => line.startsWith("data: {") && line.includes('"content":"')).length;
    // Frames while the reply streamed (first to last growing render), and over the whole recording (which also holds
    // the hand-over of the finished reply to the transcript).
    const streamStart = state.updateTimes[0] ?? 0;
    const streamEnd = state.updateTimes[state.updateTimes.length - 1] ?? 0;
    let longestFrameGap = 0;
    let longestStreamingFrameGap = 0;
    for (let index = 1; index < state.frames.length; index += 1) {
      const gap = state.frames[index]! - state.frames[index - 1]!;
      longestFrameGap = Math.max(longestFrameGap, gap);
      if (state.frames[index]! >= streamStart && state.frames[index - 1]! <= streamEnd) longestStreamingFrameGap = Math.max(longestStreamingFrameGap, gap);
    }
    const streamMs = streamEnd - streamStart;
    const growing = state.lengths.every((length, index) => index === 0 || length > state.lengths[index - 1]!);
    const ok = state.earlierMutations === 0 && state.lengths.length >= 3 && growing && longestStreamingFrameGap <= 100;
    const summary =
      `stream render: ${contentChunks} content chunks over ${streamMs.toFixed(0)} ms rendered in ${state.lengths.length} growing updates ` +
      `(longest frame gap while streaming ${longestStreamingFrameGap.toFixed(0)} ms, ${longestFrameGap.toFixed(0)} ms including the hand-over to the transcript); ` +
      `mutations of earlier messages: ${state.earlierMutations}`;
    return { ok, summary };
  } finally {
    await context.close();
  }
}
