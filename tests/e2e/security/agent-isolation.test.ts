import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enqueue, isAlive, waitForStatus, type ExecutorProcess, type Sandbox } from '../../support/local-sandbox.js';
import { waitFor } from '../../support/wait.js';
import { useLocalSandboxes } from '../../support/sandbox-hooks.js';

/**
 * Issue 15, point 1: agents running at once must not reach each other's terminals, and every agent must end
 * when the executor dies (docs/reliability.md). The agent is /bin/sh, so what it holds is exactly what Beacon
 * handed it: it lists its own descriptors (`/proc/$$/fd`), writes its pid, then waits for a release file.
 * Linux only (/proc); on macOS node-pty spawns through posix_spawn with POSIX_SPAWN_CLOEXEC_DEFAULT.
 */
const AGENT_SCRIPT = [
  'tag=$1',
  'case "$tag" in *ignore-hup*) trap "" HUP ;; esac',
  'case "$tag" in *daemon*) setsid sh -c \'trap "" HUP; echo $$ > daemon.pid; exec sleep 300\' </dev/null >/dev/null 2>&1 & ;; esac',
  // Listed by a child, so neither a redirection nor a pipe of the agent shell itself shows up.
  'sh -c \'ls -l /proc/$PPID/fd > "fds-$1.txt" 2>&1\' list "$tag"',
  'echo $$ > "pid-$tag.txt"',
  'while [ ! -e release ]; do sleep 0.05; done',
].join('\n');

const linux = process.platform === 'linux';
const local = useLocalSandboxes();
let sandbox: Sandbox | null = null;
const strays: number[] = [];

// Registered after useLocalSandboxes, so it runs before the executor is stopped (hooks unwind as a stack).
afterEach(() => {
  if (sandbox) writeFileSync(join(sandbox.work, 'release'), '');
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  sandbox = null;
});

function start(): { box: Sandbox; run: ExecutorProcess } {
  const box = local.sandbox({ max_concurrent: 3, default_agent: 'sh' });
  const config = JSON.parse(readFileSync(join(box.home, 'beacon.yaml'), 'utf8')) as { agents: Record<string, unknown> };
  config.agents.sh = { command: '/bin/sh', args: ['-c', AGENT_SCRIPT, 'agent', '{prompt}'], output: 'text' };
  writeFileSync(join(box.home, 'beacon.yaml'), JSON.stringify(config, null, 2));
  sandbox = box;
  return { box, run: local.start(box) };
}

/** fd number → what it points to, from `ls -l /proc/$$/fd`. */
function descriptors(box: Sandbox, tag: string): Map<number, string> {
  const fds = new Map<number, string>();
  for (const line of readFileSync(join(box.work, `fds-${tag}.txt`), 'utf8').split('\n')) {
    const match = / (\d+) -> (.*)$/.exec(line);
    if (match) fds.set(Number(match[1]), match[2]!);
  }
  return fds;
}

const pidOf = (box: Sandbox, name: string): number => Number(readFileSync(join(box.work, name), 'utf8').trim());

describe.runIf(linux)('agents and their terminals (issue 15, point 1)', () => {
  it('three agents at once: each holds its own terminal on 0, 1 and 2 and nothing else', async () => {
    const { box, run } = start();
    await run.ready;
    const tags = ['first', 'second', 'third'];
    const ids = tags.map((tag) => enqueue(box, tag));
    await waitFor('all three agents to list their descriptors', () => tags.every((tag) => existsSync(join(box.work, `pid-${tag}.txt`))), 20_000);

    const terminals = new Set<string>();
    for (const tag of tags) {
      const fds = descriptors(box, tag);
      const own = fds.get(0)!;
      expect(own).toMatch(/^\/dev\/pts\/\d+$/);
      expect([fds.get(1), fds.get(2)]).toEqual([own, own]);
      // Before the fix the second and third held /dev/ptmx (the earlier agents' masters): they could read and
      // type into them.
      expect([...fds.entries()].filter(([fd]) => fd > 2), `agent ${tag} holds more than its own terminal`).toEqual([]);
      terminals.add(own);
    }
    expect(terminals.size).toBe(3);

    writeFileSync(join(box.work, 'release'), '');
    for (const id of ids) expect((await waitForStatus(box, id, ['completed', 'failed'])).status).toBe('completed');
  });

  it('kill -9 of the executor ends every agent: one that ignores SIGHUP, one whose sibling started a daemon', async () => {
    const { box, run } = start();
    await run.ready;
    // "plain" would die of the hang-up, unless its terminal's master leaked into the daemon started by the next agent.
    enqueue(box, 'plain');
    await waitFor('the first agent', () => existsSync(join(box.work, 'pid-plain.txt')));
    enqueue(box, 'daemon');
    enqueue(box, 'ignore-hup');
    await waitFor('the other agents', () => ['daemon', 'ignore-hup'].every((tag) => existsSync(join(box.work, `pid-${tag}.txt`))) && existsSync(join(box.work, 'daemon.pid')));
    const agents = ['plain', 'daemon', 'ignore-hup'].map((tag) => pidOf(box, `pid-${tag}.txt`));
    strays.push(...agents, pidOf(box, 'daemon.pid'));
    for (const pid of agents) expect(isAlive(pid)).toBe(true);

    run.child.kill('SIGKILL');
    await run.exited;
    await waitFor('every agent to end after the executor died', () => agents.every((pid) => !isAlive(pid)), 10_000).catch(() => {
      const left = agents.filter((pid) => isAlive(pid));
      throw new Error(`still running after the executor was killed: ${left.join(', ')} (of plain, daemon, ignore-hup = ${agents.join(', ')})`);
    });
  });
});
