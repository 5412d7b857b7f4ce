/**
 * Shared by the issue-7 benchmarks: percentiles, a fresh MENTU_HOME per executor (via the test sandbox),
 * and one machine-readable line per benchmark (`BENCH_JSON {...}`) that scripts/bench.mjs collects into
 * docs/performance.md. Figures are printed, never asserted.
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
}

export function distribution(values: number[]): Distribution {
  return { n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) };
}

export const fmt = (d: Distribution): string => `p50 ${d.p50.toFixed(1)} ms, p95 ${d.p95.toFixed(1)} ms, p99 ${d.p99.toFixed(1)} ms (n=${d.n})`;

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** The same work with nothing of Beacon in the way, measured in the same run. */
  floor?: number;
  /** ratio = value / floor (for latencies: how many times slower than the floor). */
  ratio?: number;
  target?: string;
  met?: boolean;
}

/** Prints the figures for a reader and one JSON line for scripts/bench.mjs. */
export function report(bench: string, figures: BenchFigure[], notes: string[] = []): void {
  for (const f of figures) {
    const floor = f.floor === undefined ? '' : ` | floor ${f.floor.toFixed(2)} ${f.unit} | ratio ${f.ratio?.toFixed(2)}`;
    const target = f.target ? ` | target ${f.target}${f.met === undefined ? '' : f.met ? ' (met)' : ' (NOT met)'}` : '';
    console.log(`  ${f.name}: ${f.value.toFixed(2)} ${f.unit}${floor}${target}`);
  }
  for (const note of notes) console.log(`  note: ${note}`);
  console.log(`BENCH_JSON ${JSON.stringify({ bench, figures, notes })}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function numberArg(name: string, fallback: number): number {
  const fromEnv = process.env[`BENCH_${name.toUpperCase()}`];
  const flag = process.argv.indexOf(`--${name}`);
  const raw = flag > 0 ? process.argv[flag + 1] : fromEnv;
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} expects a positive number, got ${raw}`);
  return value;
}
