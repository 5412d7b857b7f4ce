import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecutor, type Executor } from '../../../src-main/core/executor.js';
import { makeWorld, MemorySource, ScriptedRunner, until, type UnitWorld } from '../../support/fakes.js';
import { recordingLogger } from '../../support/recording-logger.js';

/** The executor loading beacon.yaml itself follows its edits: live settings at once, others reported. */
let world: UnitWorld;
let source: MemorySource;
let runner: ScriptedRunner;
let executor: Executor;
let logger: ReturnType<typeof recordingLogger>;

const file = (execution: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...world.config(execution).config, ...extra }, null, 2);

beforeEach(async () => {
  world = makeWorld();
  writeFileSync(world.paths.config, file({}));
  source = new MemorySource();
  runner = new ScriptedRunner();
  logger = recordingLogger();
  executor = createExecutor({ paths: world.paths, env: world.env, mode: 'headless', logger, source, runner });
  await executor.start();
});
afterEach(async () => {
  await executor.stop({ cancelRunning: true, graceMs: 0 });
  world.cleanup();
});

describe('an executor that loaded beacon.yaml follows it', () => {
  it('max_concurrent applies to the next claim; poll and heartbeat periods reach the source without reconnecting', async () => {
    source.add({ workingDirectory: world.work });
    source.add({ workingDirectory: world.work });
    await until('one run (max_concurrent 1)', () => runner.runs.length === 1);
    writeFileSync(world.paths.config, file({ max_concurrent: 2 }, { supabase: { poll_seconds: 7, heartbeat_seconds: 11 } }));
    await until('the second run, after the edit', () => runner.runs.length === 2, 10_000);
    expect(executor.snapshot().maxConcurrent).toBe(2);
    expect(source.retuned.at(-1)).toEqual({ pollSeconds: 7, heartbeatSeconds: 11 });
    expect(logger.count('config: now using execution.max_concurrent, supabase.heartbeat_seconds, supabase.poll_seconds')).toBe(1);
  });

  it('settings that need a restart keep their running values and are listed in the snapshot', async () => {
    writeFileSync(world.paths.config, file({}, { mentu: { proxy_url: 'https://mentu.example/proxy' }, dashboard: { port: 8787 } }));
    await until('the wait to show', () => executor.snapshot().restartNeeded.length === 2, 10_000);
    expect(executor.snapshot().restartNeeded).toEqual(['dashboard.port', 'mentu.proxy_url']);
    expect(executor.config()?.config.mentu.proxy_url).toBeNull();
  });

  it('an invalid edit is kept out and shown; fixing the file clears it', async () => {
    writeFileSync(world.paths.config, '{ "execution": { "allowed_directories": 3 } }\n');
    await until('the error', () => executor.snapshot().configError !== null, 10_000);
    expect(executor.snapshot().configError).toMatch(/at line 1, column \d+: execution.allowed_directories: expected/);
    expect(executor.config()?.config.execution.allowed_directories).toEqual([world.work]);
    writeFileSync(world.paths.config, file({ default_timeout_seconds: 99 }));
    await until('the error to clear', () => executor.snapshot().configError === null, 10_000);
    expect(executor.config()?.config.execution.default_timeout_seconds).toBe(99);
  });
});
