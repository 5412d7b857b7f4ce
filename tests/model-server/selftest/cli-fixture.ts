import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { makeClaudeHome, type ClaudeHome } from '../../support/real-claude.js';
import { startModelServer, type ModelServer } from '../index.js';

/** What the self-tests share: one model server and one scratch claude HOME per file, cleared after each test. */
export interface CliFixture {
  readonly server: ModelServer;
  readonly home: string;
  /** A working directory inside the scratch HOME. */
  readonly cwd: string;
  /** The runClaude options every run starts from. */
  base(): { server: ModelServer; home: string; cwd: string };
}

export function useCliFixture(): CliFixture {
  let server: ModelServer | null = null;
  let claudeHome: ClaudeHome | null = null;
  beforeAll(async () => {
    server = await startModelServer();
    claudeHome = makeClaudeHome();
    mkdirSync(join(claudeHome.home, 'work'));
  });
  afterAll(async () => {
    await server?.stop();
    claudeHome?.cleanup();
  });
  afterEach(() => server?.reset());
  const fixture: CliFixture = {
    get server() {
      if (!server) throw new Error('the fixture is used before beforeAll ran');
      return server;
    },
    get home() {
      if (!claudeHome) throw new Error('the fixture is used before beforeAll ran');
      return claudeHome.home;
    },
    get cwd() {
      return join(fixture.home, 'work');
    },
    base: () => ({ server: fixture.server, home: fixture.home, cwd: fixture.cwd }),
  };
  return fixture;
}
