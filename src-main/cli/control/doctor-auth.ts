import { SERVICE_ROLE_ON_DESKTOP, noSuchWorkspace, notAMember } from '../../core/auth/messages.js';
import type { LoadedConfig } from '../../core/config/load.js';
import type { MentuPaths } from '../../core/paths.js';
import { readAuthStatus } from './auth-status.js';
import type { DoctorCheck } from './doctor-check.js';

/**
 * `beacon doctor`'s sign-in checks: the auth mode and who (or which key role), each configured workspace as
 * that key sees it, and the machine row; every refusal named in the words of core/auth/messages.ts.
 */
export async function authChecks(loaded: LoadedConfig, paths: MentuPaths, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<DoctorCheck[]> {
  const status = await readAuthStatus(loaded, paths, env);
  if (!status) return [];
  const checks: DoctorCheck[] = [];
  const { auth } = status;
  if (status.error || !auth) {
    return [{ name: 'sign-in', level: 'problem', detail: `${status.mode}: ${status.error ?? 'unknown'}`, fix: fixFor(status.mode, loaded) }];
  }
  if (auth.mode === 'session') {
    const who = auth.user ? `${auth.user.email ?? '(no email)'} (${auth.user.id ?? 'no id'})` : null;
    if (auth.state === 'signed_in') {
      checks.push({ name: 'sign-in', level: 'ok', detail: `session: ${who}, token valid until ${auth.expiresAt ?? 'unknown'} (renewed automatically)`, fix: null });
    } else {
      const level = auth.state === 'unreachable' ? 'warning' : 'problem';
      checks.push({ name: 'sign-in', level, detail: `session${who ? ` of ${who}` : ''}: ${auth.problem ?? auth.state}`, fix: auth.state === 'unreachable' ? 'Check the network; Beacon keeps retrying.' : 'Sign in again: `beacon login` (or Settings → Sign in in the app).' });
    }
  } else {
    const roleProblem = auth.role !== null && auth.role !== 'service_role';
    checks.push(
      roleProblem
        ? { name: 'sign-in', level: 'problem', detail: auth.problem ?? `key has role ${auth.role}, not service_role`, fix: fixFor('service_role', loaded) }
        : { name: 'sign-in', level: 'ok', detail: `service_role key${auth.role ? '' : ' (role not readable from the key)'}`, fix: null },
    );
    if (platform === 'darwin') checks.push({ name: 'service-role key on a desktop', level: 'warning', detail: SERVICE_ROLE_ON_DESKTOP, fix: `Set supabase.auth: session in ${loaded.path} and run \`beacon login\`.` });
  }
  for (const w of auth.workspaces) {
    const name = `workspace ${w.id}${w.name ? ` (${w.name})` : ''}`;
    if (w.member === null) checks.push({ name, level: 'info', detail: 'not checked (no usable sign-in)', fix: null });
    else if (w.member) checks.push({ name, level: 'ok', detail: auth.mode === 'session' ? 'a member' : 'exists', fix: null });
    else {
      // The view's problem names only the first workspace in trouble: each one is named here in the same words.
      const problem = auth.mode === 'session' ? notAMember(auth.user?.email ?? `user ${auth.user?.id}`, w.id, w.name) : noSuchWorkspace(w.id);
      checks.push({ name, level: auth.mode === 'session' ? 'problem' : 'warning', detail: problem, fix: `Fix supabase.workspace_ids in ${loaded.path}, or ask an owner of the workspace to add you.` });
    }
  }
  if (status.checkedBy === 'executor') {
    checks.push(
      auth.machineRegistered === false
        ? { name: 'machine row', level: 'problem', detail: auth.machineProblem ?? 'bridge_machines refused the row', fix: 'Check supabase.primary_workspace_id and that the sign-in may write bridge_machines.' }
        : { name: 'machine row', level: auth.machineRegistered ? 'ok' : 'info', detail: auth.machineRegistered ? 'registered in bridge_machines' : 'not registered yet', fix: null },
    );
  } else {
    checks.push({ name: 'machine row', level: 'info', detail: 'registered by the running executor; none answers now', fix: null });
  }
  return checks;
}

function fixFor(mode: 'service_role' | 'session', loaded: LoadedConfig): string {
  return mode === 'session'
    ? `Set supabase.anon_key in ${loaded.path} if it is missing, then \`beacon login\`.`
    : "Store the project's service_role key (BEACON_SUPABASE_KEY, or the secret store), or use auth: session.";
}
