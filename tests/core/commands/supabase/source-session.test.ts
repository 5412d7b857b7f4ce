import { afterEach, describe, expect, it } from 'vitest';
import type { SourceStatus } from '../../../../src-main/core/commands/source.js';
import type { Gateway } from '../../../gateway/index.js';
import { useGateway } from '../../../gateway/use-gateway.js';
import { cloudOf, sessionAuthFor, writeMentuCredentials } from '../../../support/mentu-session.js';
import { addWorkspaceMember, commandRow, insertCommand, newSource, startDriver, tempDir, USER, type Driver } from '../../../support/source-driver.js';
import { waitFor } from '../../../support/wait.js';

/** The Supabase source with a Mentu session: a request refused as unauthorized gets one refresh first. */

let gateway: Gateway;
const cleanups: (() => unknown)[] = [];
const drivers: Driver[] = [];
useGateway((g) => (gateway = g));
afterEach(async () => {
  for (const driver of drivers.splice(0)) await driver.stop();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Supabase source with a session', () => {
  it('a clock 10 minutes slow: the server refuses the token first, one refresh and one retry follow, nothing reaches auth_failed', async () => {
    await addWorkspaceMember(gateway);
    gateway.auth.createUser('member@example.com', USER);
    gateway.auth.configure({ accessTokenSeconds: 3 });
    const home = tempDir('beacon-skew-', cleanups);
    const signedIn = gateway.auth.signIn('member@example.com');
    writeMentuCredentials(home, cloudOf(signedIn));
    gateway.auth.configure({ accessTokenSeconds: 3600 });
    // The session believes its 3-second token has ten more minutes: only the server's 401 can tell it otherwise.
    const { auth } = await sessionAuthFor(gateway, home, { now: () => Date.now() - 10 * 60_000 });
    const source = newSource(gateway, 'beacon-skew', tempDir('beacon-outbox-', cleanups), { auth, pollSeconds: 1 });
    const driver = await startDriver(source, 'beacon-skew');
    drivers.push(driver);
    // By its own (slow) clock the session has ten minutes left: no renewal is due, so any refresh below is the 401's.
    await waitFor('the token expired on the server', () => Date.now() > signedIn.expires_at * 1000 + 200, 6000);
    const id = await insertCommand(gateway);
    await waitFor('completed after one refresh', async () => (await commandRow(gateway, id)).status === 'completed', 15_000);
    expect(gateway.auth.stats.grants.refresh_token).toBe(1);
    expect(gateway.stats.requests['POST /auth/v1/token']).toBe(1);
    expect(driver.statuses.map((s: SourceStatus) => s.connection)).not.toContain('auth_failed');
  }, 60_000);
});
