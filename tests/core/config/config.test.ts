import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ConfigError, loadConfig, updateConfig } from '../../../src-main/core/config/load.js';
import { configSchema } from '../../../src-main/core/config/schema.js';
import { cleanupTempHomes, tempHome, type TempHome } from '../../support/temp-home.js';

let home: TempHome;
afterEach(() => cleanupTempHomes());

/** Load, expecting a ConfigError; returns it. */
async function loadError(h: TempHome): Promise<ConfigError> {
  const error = await loadConfig(h.paths, h.env).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

/** Write a file, check loading it fails, and check the file was not touched. */
async function invalidFile(text: string): Promise<ConfigError> {
  home = tempHome();
  writeFileSync(home.paths.config, text);
  const error = await loadError(home);
  expect(readFileSync(home.paths.config, 'utf8')).toBe(text);
  expect(error.file).toBe(home.paths.config);
  expect(error.message).toContain(home.paths.config);
  return error;
}

describe('missing file', () => {
  it('writes the commented defaults once, with the machine id, and does not rewrite them on the next load', async () => {
    home = tempHome({ BEACON_HOSTNAME: 'Dev-Box.local' });
    const first = await loadConfig(home.paths, home.env);
    expect(first.created).toBe(true);
    expect(first.machineId).toBe('beacon-dev-box');
    expect(first.machineName).toBe('Dev-Box.local');
    expect(first.path).toBe(home.paths.config);

    const text = readFileSync(home.paths.config, 'utf8');
    const parsed = parseDocument(text).toJS();
    // The written values are exactly the schema's defaults, plus the identity.
    expect(configSchema.parse(parsed)).toEqual(configSchema.parse({ machine: { id: 'beacon-dev-box', name: 'Dev-Box.local' } }));
    expect(first.config).toEqual(configSchema.parse(parsed));

    const before = statSync(home.paths.config).mtimeMs;
    await new Promise((r) => setTimeout(r, 30));
    const second = await loadConfig(home.paths, home.env);
    expect(second.created).toBe(false);
    expect(second.machineId).toBe('beacon-dev-box');
    expect(readFileSync(home.paths.config, 'utf8')).toBe(text);
    expect(statSync(home.paths.config).mtimeMs).toBe(before);
  });

  it('explains every setting in a comment right above it', async () => {
    home = tempHome();
    await loadConfig(home.paths, home.env);
    const lines = readFileSync(home.paths.config, 'utf8').split('\n');
    const leafKeys = lines
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => /^\s*[a-z_]+: \S/.test(line) && !/^\s{4}/.test(line)); // agents.claude.* are explained as a block
    expect(leafKeys.length).toBeGreaterThanOrEqual(18);
    for (const { line, index } of leafKeys) {
      const above = lines[index - 1] ?? '';
      expect(above.trim().startsWith('#'), `no comment above "${line.trim()}"`).toBe(true);
    }
    // Every top-level section of the schema is in the file.
    for (const key of Object.keys(configSchema.shape)) expect(lines.some((l) => l.startsWith(`${key}:`))).toBe(true);
  });
});

describe('invalid files: one clear message, file untouched', () => {
  it('malformed YAML names the line and column', async () => {
    const error = await invalidFile('execution:\n  max_concurrent: 2\n  allowed_directories: ["~", "/srv"\n  default_agent: claude\n');
    expect(error.message).toMatch(/at line \d+, column \d+/);
    expect(error.message).toContain('not valid YAML');
    expect(error.expected).toBe('valid YAML');
  });

  it('a duplicate key is reported where it is', async () => {
    const error = await invalidFile('execution:\n  max_concurrent: 2\n  max_concurrent: 3\n');
    expect(error.message).toContain('at line 3, column 3');
  });

  it('a wrong type names the key path, the expectation and what was found', async () => {
    const error = await invalidFile('# my settings\nexecution:\n  max_concurrent: two\n');
    expect(error.keyPath).toBe('execution.max_concurrent');
    expect(error.expected).toBe('a whole number from 1 to 64');
    expect(error.message).toContain(`${home.paths.config} at line 3, column 19: execution.max_concurrent: expected a whole number from 1 to 64, got "two"`);
  });

  it('out-of-range numbers, bad URLs, bad UUIDs and enums say what is allowed', async () => {
    expect((await invalidFile('execution:\n  default_timeout_seconds: 0\n')).message).toContain(
      'execution.default_timeout_seconds: expected a whole number from 1 to 604800, got 0',
    );
    expect((await invalidFile('supabase:\n  url: localhost\n')).message).toContain('supabase.url: expected a URL');
    expect((await invalidFile('supabase:\n  workspace_ids: [abc]\n')).message).toContain(
      'supabase.workspace_ids[0]: expected a UUID',
    );
    expect((await invalidFile('command_source: cloud\n')).message).toContain(
      'command_source: expected one of "auto", "local", "supabase", got "cloud"',
    );
    expect((await invalidFile('agents:\n  mine:\n    args: ["{prompt}"]\n')).message).toContain(
      'agents.mine.command: expected a non-empty text, got nothing (the key is missing)',
    );
    expect((await invalidFile('agents:\n  mine:\n    command: x\n    args: [-p]\n')).message).toContain(
      'agents.mine.args: args must contain the element "{prompt}" exactly once',
    );
  });

  it('an unknown key is named, with a suggestion and the allowed keys', async () => {
    const error = await invalidFile('execution:\n  max_concurent: 2\n');
    expect(error.keyPath).toBe('execution.max_concurent');
    expect(error.message).toContain('at line 2, column 3');
    expect(error.message).toContain('unknown key "max_concurent"; did you mean "max_concurrent"?');
    expect(error.message).toContain('max_concurrent, shutdown_grace_seconds');
    const top = await invalidFile('machine:\n  id: beacon-x\nworkspace:\n  id: 1\n');
    expect(top.keyPath).toBe('workspace');
    expect(top.message).toContain('unknown key "workspace"');
  });

  it('reports the first problem in reading order and counts the rest', async () => {
    const error = await invalidFile('command_source: nope\nexecution:\n  max_concurrent: 0\n  typo: 1\n');
    expect(error.keyPath).toBe('command_source');
    expect(error.message).toContain('(2 more problems after this one)');
  });

  it('a top level that is not a mapping is refused', async () => {
    const error = await invalidFile('- just\n- a list\n');
    expect(error.message).toContain('expected a mapping of settings');
  });
});

describe('a file without machine.id', () => {
  it('gets the id added once, keeping the comments', async () => {
    home = tempHome({ BEACON_HOSTNAME: 'build-01' });
    const original = '# team settings\nexecution:\n  # two at once\n  max_concurrent: 2 # keep it low\n';
    writeFileSync(home.paths.config, original);
    const loaded = await loadConfig(home.paths, home.env);
    expect(loaded.machineId).toBe('beacon-build-01');
    expect(loaded.created).toBe(false);
    expect(loaded.config.execution.max_concurrent).toBe(2);
    const text = readFileSync(home.paths.config, 'utf8');
    expect(text.startsWith(original)).toBe(true);
    expect(parseDocument(text).getIn(['machine', 'id'])).toBe('beacon-build-01');
    await loadConfig(home.paths, home.env);
    expect(readFileSync(home.paths.config, 'utf8')).toBe(text);
  });
});

describe('updateConfig', () => {
  it('keeps the user\'s comments and layout, and leaves "~" as written', async () => {
    home = tempHome();
    writeFileSync(
      home.paths.config,
      [
        '# my Beacon',
        'machine:',
        '  id: beacon-mine # set by hand',
        'execution:',
        '  # never more than two',
        '  max_concurrent: 1 # was 1',
        '  allowed_directories: ["~/code"]',
        '',
      ].join('\n'),
    );
    const result = await updateConfig(home.paths, [
      { path: ['execution', 'max_concurrent'], value: 2 },
      { path: ['supabase', 'url'], value: 'https://abc.supabase.co' },
    ]);
    expect(result.config.execution.max_concurrent).toBe(2);
    expect(result.config.supabase.url).toBe('https://abc.supabase.co');
    expect(result.machineId).toBe('beacon-mine');
    const text = readFileSync(home.paths.config, 'utf8');
    for (const comment of ['# my Beacon', '# set by hand', '# never more than two', '# was 1']) expect(text).toContain(comment);
    expect(text).toContain('max_concurrent: 2 # was 1');
    expect(text).toContain('allowed_directories: [ "~/code" ]');
    expect((await loadConfig(home.paths, home.env)).config.execution.allowed_directories).toEqual(['~/code']);
  });

  it('replaces a list, deletes a key, and keeps the list style', async () => {
    home = tempHome();
    await loadConfig(home.paths, home.env);
    const result = await updateConfig(home.paths, [
      { path: ['execution', 'allowed_directories'], value: ['~', '/srv/work'] },
      { path: ['dashboard', 'port'], value: undefined },
    ]);
    expect(result.config.execution.allowed_directories).toEqual(['~', '/srv/work']);
    expect(result.config.dashboard.port).toBe(0);
    const text = readFileSync(home.paths.config, 'utf8');
    expect(text).toContain('allowed_directories: [ "~", /srv/work ]');
    expect(text).not.toMatch(/^\s+port:/m);
    expect(text).toContain('# Commands may only run in these folders');
  });

  it('refuses an invalid value and leaves the file byte-for-byte unchanged', async () => {
    home = tempHome();
    await loadConfig(home.paths, home.env);
    const before = readFileSync(home.paths.config, 'utf8');
    const error = await updateConfig(home.paths, [{ path: ['execution', 'max_concurrent'], value: 0 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('Not saved: execution.max_concurrent: expected a whole number from 1 to 64, got 0');
    expect(readFileSync(home.paths.config, 'utf8')).toBe(before);
  });

  it('does not touch an invalid file', async () => {
    home = tempHome();
    const broken = 'execution:\n  max_concurrent: "two"\n';
    writeFileSync(home.paths.config, broken);
    const error = await updateConfig(home.paths, [{ path: ['execution', 'default_agent'], value: 'x' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).keyPath).toBe('execution.max_concurrent');
    expect(readFileSync(home.paths.config, 'utf8')).toBe(broken);
  });

  it('never changes machine.id', async () => {
    home = tempHome();
    await loadConfig(home.paths, home.env);
    const before = readFileSync(home.paths.config, 'utf8');
    const error = await updateConfig(home.paths, [{ path: ['machine', 'id'], value: 'beacon-other' }]).catch((e: unknown) => e);
    expect((error as ConfigError).message).toContain('machine.id is written once');
    expect(readFileSync(home.paths.config, 'utf8')).toBe(before);
  });
});
