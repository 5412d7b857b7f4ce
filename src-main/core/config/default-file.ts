import { DEFAULT_CLAUDE_ALLOWED_FLAGS, DEFAULT_CLAUDE_ARGS, DEFAULT_CLAUDE_PERMISSIONS } from './schema.js';

/**
 * The beacon.yaml Beacon writes on first start: every key with its default and a comment saying what it does.
 * docs/configuration.md is the long form; a test checks this text parses to exactly the schema's defaults.
 */
export interface DefaultFileIdentity {
  machineId: string;
  machineName: string;
}

const yamlString = (value: string): string => JSON.stringify(value);
const yamlList = (values: readonly string[]): string => `[${values.map(yamlString).join(', ')}]`;

export function renderDefaultConfig({ machineId, machineName }: DefaultFileIdentity): string {
  return `# Beacon configuration (~/.mentu/beacon.yaml, or $MENTU_HOME/beacon.yaml).
# Written once on first start; edit freely. Beacon keeps your comments when it changes a value.
# Secrets (Supabase keys, proxy tokens) never live here: they are kept in the secret store.
# Reference: docs/configuration.md

machine:
  # This machine's persistent id (beacon-{hostname}). Written once and never changed by Beacon, even if the
  # hostname changes later; commands target this machine by it. Change it only if you know why.
  id: ${yamlString(machineId)}
  # A display name for this machine in Mentu and in Beacon's window.
  name: ${yamlString(machineName)}

# Where commands come from: local (the embedded queue on this machine), supabase (Mentu's bridge_commands),
# or auto (supabase when supabase.url is set, otherwise local).
command_source: auto

supabase:
  # Your Mentu Supabase project URL, e.g. https://xyz.supabase.co (null = not connected).
  url: null
  # The Mentu workspaces (UUIDs) whose commands this machine runs.
  workspace_ids: []
  # The workspace this machine registers under in bridge_machines (null = the first of workspace_ids).
  primary_workspace_id: null
  # How Beacon signs in to Mentu. session: as you (sign in from Settings or with \`beacon login\`; row-level
  # security applies); service_role: a project key from the secret store (or $BEACON_SUPABASE_KEY), for servers;
  # auto: session on a Mac, service_role elsewhere.
  auth: auto
  # The project's anon (publishable) key, needed with auth: session. It is public, not a secret.
  anon_key: null
  # The environment variable read for the anon key when anon_key is null.
  anon_key_env: SUPABASE_ANON_KEY
  # Also keep the session in ~/.mentu/credentials, so \`mentu login\` and Beacon's sign-in serve each other.
  share_mentu_credentials: true
  # How often (seconds, 5 to 3600) this machine reports that it is alive.
  heartbeat_seconds: 60
  # How often (seconds, 1 to 3600) Beacon polls for commands, whatever the realtime socket says.
  poll_seconds: 30

execution:
  # Commands may only run in these folders or below them ("~" is your home folder).
  allowed_directories: ["~"]
  # A command still running after this many seconds is stopped (at most 7 days).
  default_timeout_seconds: 3600
  # Output kept per command, in bytes (1024 to 1 GiB); beyond it output is cut.
  max_output_bytes: ${10 * 1024 * 1024}
  # How many commands run at the same time (1 to 64).
  max_concurrent: 1
  # On shutdown, running commands get this many seconds to finish before they are cancelled.
  shutdown_grace_seconds: 10
  # The agent used when a command names none (a key of agents below).
  default_agent: claude

# The agents Beacon can run, by name. command: an absolute path or a name found on your login shell's PATH.
# args: the argument list; the element "{prompt}" (exactly once) is replaced by the command's prompt. Keep it
# last, after "--", so a prompt that starts with "-" is never read as one of the agent's options.
# output: stream-json (parsed into a run summary: cost, tokens, result) or text.
# allowed_flags (optional): the options a queued command may add (e.g. ["--model", "--max-turns"]); unset,
# claude accepts ${DEFAULT_CLAUDE_ALLOWED_FLAGS.join(', ')}; other agents accept none.
# permissions (claude only): who decides what the agent may do. Tool uses the rules below do not settle are
# asked of a person (the tray window, the dashboard, \`beacon allow|deny\`, Mentu). docs/permissions.md
agents:
  claude:
    command: claude
    args: ${yamlList(DEFAULT_CLAUDE_ARGS)}
    output: stream-json
    permissions:
      # default (ask), acceptEdits (file edits in the working directory go through, the rest is asked),
      # plan (nothing runs) or bypassPermissions (nothing is asked: the agent may do anything you can).
      # A queued command may ask for a stricter mode, never a looser one.
      mode: ${DEFAULT_CLAUDE_PERMISSIONS.mode}
      # Rules in the CLI's syntax that go through without asking, e.g. ["Bash(npm test:*)", "Read"].
      allow: []
      # Rules that are refused without asking; they win over allow and over any answer.
      deny: []
      # A request nobody answers is denied after this many seconds (the command goes on without it).
      deny_unanswered_after_seconds: ${DEFAULT_CLAUDE_PERMISSIONS.deny_unanswered_after_seconds}
      # The CLI's sandbox for the agent's Bash (keeps it out of ~/.mentu, the network and other processes):
      # auto (on where it can run: Linux with bubblewrap and socat, macOS), on (required), off.
      sandbox: ${DEFAULT_CLAUDE_PERMISSIONS.sandbox}

mentu:
  # The Mentu proxy for ledger captures (null = off); its token is kept in the secret store.
  proxy_url: null

dashboard:
  # The headless dashboard's port on 127.0.0.1 (0 = any free port).
  port: 0
`;
}
