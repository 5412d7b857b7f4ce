import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { completeSignIn, type SignedIn } from '../../core/auth/complete-sign-in.js';
import { endSession } from '../../core/auth/gotrue.js';
import { signInWithToken, startBrowserSignIn } from '../../core/auth/sign-in.js';
import { createSessionStore } from '../../core/auth/session-store.js';
import { loadConfig, updateConfig, type ConfigChange } from '../../core/config/load.js';
import { anonKeyOf } from '../../core/config/schema.js';
import { mentuPaths, type MentuPaths } from '../../core/paths.js';
import { createHeadlessSecretStore } from '../../core/secrets.js';
import { CliError } from '../errors.js';

/**
 * `beacon login`: sign in to Mentu as yourself, the way `mentu login` does (GitHub through the project's
 * auth, PKCE, a loopback callback): the URL to open is printed, since a headless machine has no browser of
 * its own. `--token` takes an access token as it is (CI). Then the workspaces to serve are chosen.
 * `beacon logout` ends the session here and on the server.
 */

interface LoginOptions {
  token?: string;
  url?: string;
  anonKey?: string;
  workspace?: string[];
  json?: boolean;
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('sign in to Mentu as yourself (prints the URL to open; --token for CI), then choose the workspaces this machine serves')
    .option('--token <token>', 'use an existing access token (CI); it cannot be renewed')
    .option('--url <url>', 'the Mentu Supabase project URL (saved as supabase.url)')
    .option('--anon-key <key>', "the project's anon (publishable) key (saved as supabase.anon_key; it is public)")
    .option('--workspace <id...>', 'serve these workspaces (each must be yours)')
    .option('--json', 'print the outcome as one JSON object')
    .action(async (options: LoginOptions) => login(options));
  program
    .command('logout')
    .description('sign out of Mentu: forget the session here (and in ~/.mentu/credentials when shared) and end it on the server')
    .action(async () => logout());
}

async function login(options: LoginOptions): Promise<void> {
  const env = process.env;
  const paths = mentuPaths(env);
  const loaded = await loadConfig(paths, env);
  const url = options.url ?? loaded.config.supabase.url;
  const anonKey = options.anonKey ?? anonKeyOf(loaded.config, env);
  if (!url) throw new CliError(`No Mentu project is configured: pass --url <https://….supabase.co> or set supabase.url in ${loaded.path}.`, 2);
  if (!anonKey) throw new CliError(`The project's anon key is needed to sign in: pass --anon-key <key> or set supabase.anon_key in ${loaded.path} (it is public, not a secret).`, 2);
  const configChanges: ConfigChange[] = [];
  if (options.url && options.url !== loaded.config.supabase.url) configChanges.push({ path: ['supabase', 'url'], value: options.url });
  if (options.anonKey && options.anonKey !== loaded.config.supabase.anon_key) configChanges.push({ path: ['supabase', 'anon_key'], value: options.anonKey });
  const store = createSessionStore({ paths, secrets: createHeadlessSecretStore(paths, env), shareMentuCredentials: loaded.config.supabase.share_mentu_credentials });
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(line + '\n');

  let session;
  try {
    if (options.token) {
      session = await signInWithToken({ url, anonKey, token: options.token });
    } else {
      const flow = await startBrowserSignIn({ url, anonKey });
      say(`Open this URL in a browser to sign in to Mentu:\n\n  ${flow.url}\n\nWaiting for the browser to come back to ${flow.callback} (5 minutes)…`);
      session = await flow.done;
    }
  } catch (error) {
    throw new CliError(`Sign-in failed: ${(error as Error).message}`);
  }
  let signedIn: SignedIn;
  try {
    signedIn = await completeSignIn({ loaded, paths, env, url, anonKey, store, session, requestedWorkspaces: options.workspace ?? null, configChanges });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (signedIn.needsChoice && !options.json && process.stdin.isTTY) signedIn = await pick(signedIn, { paths, env });
  if (options.json) {
    process.stdout.write(JSON.stringify({
      success: true,
      email: session.email,
      userId: session.userId,
      workspaces: signedIn.workspaces.map((w) => ({ ...w, selected: signedIn.selected.includes(w.id) })),
      needsChoice: signedIn.needsChoice,
      store: store.describe(),
    }) + '\n');
    return;
  }
  say(`Signed in as ${session.email ?? '(no email)'} (${session.userId}). The session is kept in ${store.describe()}${options.token ? '; a --token login cannot be renewed' : ' and renewed automatically'}.`);
  if (signedIn.workspaces.length === 0) say('You are not a member of any Mentu workspace yet: ask an owner to add you.');
  for (const w of signedIn.workspaces) say(`  ${signedIn.selected.includes(w.id) ? '*' : ' '} ${w.id}  ${w.name ?? ''}${w.role ? ` [${w.role}]` : ''}`);
  if (signedIn.needsChoice) say(`Choose the workspaces this machine serves: beacon login --workspace <id> …`);
  if (signedIn.changes.length) say(`Updated ${loaded.path}: ${signedIn.changes.join(', ')}.`);
}

/** A numbered choice on a terminal. */
async function pick(signedIn: SignedIn, context: { paths: MentuPaths; env: NodeJS.ProcessEnv }): Promise<SignedIn> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    signedIn.workspaces.forEach((w, i) => process.stdout.write(`  ${i + 1}. ${w.name ?? w.id} (${w.id})${w.role ? ` [${w.role}]` : ''}\n`));
    const answer = await rl.question('Serve which workspaces? Numbers separated by spaces: ');
    const chosen = answer.split(/[\s,]+/).map(Number).filter((n) => Number.isInteger(n) && n >= 1 && n <= signedIn.workspaces.length).map((n) => signedIn.workspaces[n - 1]!.id);
    if (!chosen.length) return signedIn;
    await updateConfig(context.paths, [{ path: ['supabase', 'workspace_ids'], value: chosen }], context.env);
    return { ...signedIn, selected: chosen, needsChoice: false, changes: [...signedIn.changes, `supabase.workspace_ids: [${chosen.join(', ')}]`] };
  } finally {
    rl.close();
  }
}

async function logout(): Promise<void> {
  const env = process.env;
  const paths = mentuPaths(env);
  const loaded = await loadConfig(paths, env);
  const store = createSessionStore({ paths, secrets: createHeadlessSecretStore(paths, env), shareMentuCredentials: loaded.config.supabase.share_mentu_credentials });
  const session = await store.read().catch(() => null);
  const url = loaded.config.supabase.url;
  const anonKey = anonKeyOf(loaded.config, env);
  if (session && url && anonKey) {
    // Best effort: the server forgets the session (its refresh token stops working); the token itself lives until it expires.
    await endSession({ url, anonKey, timeoutMs: 10_000 }, session.accessToken).catch(() => undefined);
  }
  await store.write(null);
  process.stdout.write(session ? `Signed out ${session.email ?? session.userId ?? ''} (${store.describe()}).\n` : 'No Mentu session was stored.\n');
}
