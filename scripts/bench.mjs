#!/usr/bin/env node
/**
 * `npm run bench [-- <names...>] [-- --quick]`: runs the benchmarks under bench/ one after another (each in
 * its own process, so one's memory never colours another's), echoes their output, and writes
 * docs/performance.md with every figure, its floor, the ratio, the target, and the machine and date.
 * Names: pickup, contention, output-executor, output, ui-flood, claude-pickup, claude-output, idle-start, view-size (default: all).
 * --quick: smaller sizes for a smoke run (the document says so). Figures are never asserted.
 * The raw results are kept in bench/last-results.json: a run of some benchmarks replaces only their
 * sections, so the document always shows the latest figures of every benchmark (each with its sizes).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const BENCHES = [
  { name: 'pickup', file: 'bench/pickup.mts', args: quick ? ['--n', '50'] : ['--n', '500'], what: 'Pickup latency: INSERT → claimed / → agent started' },
  { name: 'contention', file: 'bench/contention.mts', args: quick ? ['--n', '200'] : ['--n', '2000'], what: 'Contention: 8 executors, duplicates, lost, claims per second (RPC and PATCH fallback)' },
  { name: 'output-executor', file: 'bench/output-executor.mts', args: quick ? ['--mb', '50'] : ['--mb', '200'], what: 'Output through beacon run: MB/s, spawn_logs rows/s, executor peak RSS' },
  { name: 'output', file: 'bench/output.mts', args: quick ? ['50', '1'] : ['200', '1'], what: 'Output through the run pipeline alone (runner vs bare node-pty, by its owner)' },
  { name: 'ui-flood', file: 'bench/ui-flood.ts', args: ['--mb', quick ? '10' : '20'], what: 'Dashboard page under a flood: frames per second and input latency (by its owner)' },
  { name: 'claude-pickup', file: 'bench/claude-pickup.mts', args: quick ? ['--n', '5'] : ['--n', '20'], what: 'The real claude CLI: INSERT → first model request through Beacon, against the CLI started directly' },
  { name: 'claude-output', file: 'bench/claude-output.mts', args: quick ? ['--mb', '10'] : ['--mb', '50'], what: 'The real claude CLI: a 50 MB reply through Beacon (throughput, executor RSS) against the CLI to /dev/null' },
  { name: 'idle-start', file: 'bench/idle-start.mts', args: quick ? ['--rounds', '3', '--idle', '15'] : ['--rounds', '5', '--idle', String(process.env.BENCH_IDLE ?? 60)], what: 'Start to ready and idle cost' },
  { name: 'view-size', file: 'bench/view-size.mts', args: quick ? ['--commands', '20000', '--clients', '20', '--rounds', '20'] : ['--commands', '100000', '--clients', '50', '--rounds', '40'], what: 'View size: snapshot build time and executor RSS with 100,000 commands in the history and 50 dashboard clients' },
];
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`npm run bench [-- <names...>] [-- --quick]\n  names: ${BENCHES.map((b) => b.name).join(', ')} (default: all)\n  --quick: smaller sizes for a smoke run\nWrites docs/performance.md and bench/last-results.json.`);
  process.exit(0);
}
const unknownOptions = process.argv.slice(2).filter((a) => a.startsWith('-') && a !== '--quick');
if (unknownOptions.length) {
  console.error(`Unknown option ${unknownOptions.join(', ')}; npm run bench -- --help lists what it takes`);
  process.exit(2);
}
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; choose from ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const selected = BENCHES.filter((b) => wanted.length === 0 || wanted.includes(b.name));

function runOne(bench) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', bench.file, ...bench.args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      process.stdout.write(c);
    });
    child.stderr.setEncoding('utf8').on('data', (c) => process.stderr.write(c));
    child.on('exit', (code, signal) => done({ bench, code, signal, out, seconds: (Date.now() - started) / 1000 }));
  });
}

const fmt = (n) => (n === undefined || n === null || Number.isNaN(n) ? '' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
const store = join(root, 'bench', 'last-results.json');
const kept = existsSync(store) ? JSON.parse(readFileSync(store, 'utf8')) : [];
const results = [];
for (const bench of selected) {
  console.log(`\n=== ${bench.name}: ${bench.file} ${bench.args.join(' ')}`);
  const result = { ...(await runOne(bench)), quick, at: new Date().toISOString() };
  results.push(result);
  // A benchmark that failed measured nothing: its last good figures stay (the failure is said below).
  if (result.code !== 0) continue;
  const index = kept.findIndex((k) => k.bench.name === bench.name);
  if (index >= 0) kept[index] = result;
  else kept.push(result);
  kept.sort((a, b) => BENCHES.findIndex((x) => x.name === a.bench.name) - BENCHES.findIndex((x) => x.name === b.bench.name));
  writeFileSync(store, JSON.stringify(kept, null, 1) + '\n');
  writeDocument(results.length < selected.length); // after each one, so a long run keeps what it measured
}
const measured = results.some((r) => r.code === 0);
// Only a failed last benchmark leaves the document marked partial (each success wrote it already).
if (measured && results.at(-1).code !== 0) writeDocument(false);
console.log(measured ? `\nwrote docs/performance.md` : `\ndocs/performance.md not written: no benchmark succeeded`);
for (const r of results.filter((r) => r.code !== 0)) console.log(`${r.bench.name} failed (exit ${r.code ?? r.signal}); docs/performance.md keeps its previous figures`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);

function writeDocument(partial) {
const cpus = os.cpus();
const lines = [
  '# Performance',
  '',
  `Written by \`npm run bench\` (scripts/bench.mjs), last updated ${new Date().toISOString()}.`,
  `Machine: ${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}; node ${process.version}.`,
  partial ? `**Partial: ${results.length} of ${selected.length} benchmarks so far.**` : '',
  'Each section names its sizes and when it ran; sections marked *quick* used reduced sizes (`npm run bench -- --quick`).',
  '',
  'Each floor is the same work with nothing of Beacon in the way, measured in the same process and run, so the',
  'ratio holds on a noisy machine (this one is shared by several engineers\' test runs). Targets are printed, never asserted.',
  'Reproduce one section with `npm run bench -- <name>` (names below).',
  '',
];
for (const r of kept) {
  lines.push(`## ${r.bench.name}: ${r.bench.what}${r.quick ? ' (quick)' : ''}`, '', `\`npx tsx ${r.bench.file} ${r.bench.args.join(' ')}\`, run ${r.at} (${r.seconds.toFixed(0)} s, exit ${r.code ?? r.signal})`, '');
  const json = r.out.split('\n').filter((l) => l.startsWith('BENCH_JSON ')).map((l) => JSON.parse(l.slice('BENCH_JSON '.length)));
  if (json.length) {
    lines.push('| figure | value | floor | ratio | target |', '|---|---|---|---|---|');
    for (const f of json.flatMap((j) => j.figures)) {
      const target = f.target ? `${f.target}${f.met === undefined ? '' : f.met ? ' ✓' : ' ✗ not met'}` : '';
      lines.push(`| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.floor === undefined ? '' : `${fmt(f.floor)} ${f.unit}`} | ${fmt(f.ratio)} | ${target} |`);
    }
    for (const note of json.flatMap((j) => j.notes ?? [])) lines.push('', `Note: ${note}`);
    lines.push('');
  }
  const raw = r.out.split('\n').filter((l) => l.trim() && !l.startsWith('BENCH_JSON '));
  lines.push('<details><summary>output</summary>', '', '```', ...raw, '```', '', '</details>', '');
}
writeFileSync(join(root, 'docs', 'performance.md'), lines.join('\n'));
}
