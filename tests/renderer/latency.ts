import type { Page } from 'playwright-core';

/**
 * Input latency as the page experiences it: for each key press, the time from the event's creation
 * (event.timeStamp) to the first animation frame after its handler ran, i.e. until the page could paint a
 * response. Frames per second are counted with requestAnimationFrame over the same window.
 */

// Page code is passed as a string: tsx (esbuild keepNames) would wrap a serialised function in __name().
const PROBE_SCRIPT = `(() => {
  const probe = { latencies: [], frames: 0, startedAt: performance.now(), stoppedAt: null, running: true };
  window.__beaconProbe = probe;
  window.addEventListener('keydown', (event) => {
    const created = event.timeStamp;
    requestAnimationFrame(() => probe.latencies.push(performance.now() - created));
  }, { capture: true });
  const tick = () => {
    if (!probe.running) return;
    probe.frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

const STOP_SCRIPT = `(() => {
  const p = window.__beaconProbe;
  p.running = false;
  p.stoppedAt = performance.now();
  return { latencies: p.latencies, frames: p.frames, seconds: (p.stoppedAt - p.startedAt) / 1000 };
})()`;

export async function startProbe(page: Page): Promise<void> {
  await page.evaluate(PROBE_SCRIPT);
}

export interface ProbeResult {
  samples: number;
  p50: number;
  p95: number;
  max: number;
  fps: number;
  /** Round trip of page.keyboard.press as seen from Node (includes the page being busy). */
  pressP95: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Presses a harmless key every `everyMs` until `until` resolves, then reads the figures. */
export async function measureWhile(page: Page, until: Promise<unknown>, everyMs = 100): Promise<ProbeResult> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const presses: number[] = [];
  while (!done) {
    const t0 = performance.now();
    await page.keyboard.press('Shift');
    presses.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  const probe = (await page.evaluate(STOP_SCRIPT)) as { latencies: number[]; frames: number; seconds: number };
  const sorted = [...probe.latencies].sort((a, b) => a - b);
  const pressSorted = [...presses].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? NaN,
    fps: probe.frames / probe.seconds,
    pressP95: percentile(pressSorted, 95),
  };
}
