import { z } from 'zod';

/**
 * The schema of ~/.mentu/beacon.yaml. Keys are snake_case like Mentu's other files. Unknown keys are
 * errors (a typo must not be silently ignored). Secrets never live here: keys come from the secret store.
 */

export const PROMPT_PLACEHOLDER = '{prompt}';

/** Options first, then `--`, then the prompt: a prompt that starts with "-" is never read as the CLI's own option. */
export const DEFAULT_CLAUDE_ARGS = ['-p', '--output-format', 'stream-json', '--verbose', '--', PROMPT_PLACEHOLDER];

/** The default written before the prompt moved after `--`; such a file is upgraded in place (config/legacy-args.ts). */
export const LEGACY_CLAUDE_ARGS = ['-p', PROMPT_PLACEHOLDER, '--output-format', 'stream-json', '--verbose'];

/**
 * What a command may ask of claude without the owner saying so: the model, limits, extra instructions, session
 * continuation and tool lists. Not here (refused unless listed in allowed_flags): anything that changes the
 * permission mode or skips permissions, loads settings, hooks, plugins or MCP servers, replaces the system prompt,
 * adds directories, or changes the output format Beacon reads.
 */
export const DEFAULT_CLAUDE_ALLOWED_FLAGS: readonly string[] = [
  '--model',
  '--fallback-model',
  '--max-turns',
  '--max-budget-usd',
  '--append-system-prompt',
  '--resume',
  '--fork-session',
  '--disallowedTools',
  '--disallowed-tools',
];

/** A profile that runs the Claude Code CLI (by the command's file name). */
export function isClaudeCommand(command: string): boolean {
  const name = command.slice(command.lastIndexOf('/') + 1).toLowerCase();
  return name === 'claude' || name === 'claude.exe';
}

/**
 * The CLI's permission modes, strictest first: plan runs nothing, default asks for anything its rules do not
 * settle, acceptEdits lets file edits in the working directory through, bypassPermissions asks for nothing.
 */
export const PERMISSION_MODES = ['plan', 'default', 'acceptEdits', 'bypassPermissions'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];
export const DEFAULT_DENY_UNANSWERED_AFTER_SECONDS = 600;

/** A rule in the CLI's own syntax: a tool name, optionally with a specifier ("Bash(npm test:*)", "Read(./src/**)", "mcp__server__tool"). */
const PERMISSION_RULE = /^(?:[A-Z][A-Za-z0-9]*|mcp__[A-Za-z0-9_-]+(?:__[A-Za-z0-9_*-]+)?)(?:\([^\n\r]+\))?$/;
const permissionRule = z.string().regex(PERMISSION_RULE, 'a permission rule in the CLI\'s syntax, such as "Bash(npm test:*)", "Edit" or "Read(./docs/**)"');

/** Flags of a claude profile's args that Beacon sets itself: the permission prompt tool and the settings carrying the policy. */
export const BEACON_OWNED_CLAUDE_FLAGS: readonly string[] = ['--permission-prompt-tool', '--settings'];

const permissionsSchema = z
  .object({
    /** The CLI's permission mode; unset: a --permission-mode in args (an older file), else default. */
    mode: z.enum(PERMISSION_MODES).optional(),
    /** Rules that let a tool use through without asking, in the CLI's syntax. */
    allow: z.array(permissionRule).default([]),
    /** Rules that refuse a tool use without asking (they win over allow and over every answer). */
    deny: z.array(permissionRule).default([]),
    /** A request nobody answers is denied after this many seconds; the command keeps running and the model hears it. */
    deny_unanswered_after_seconds: z.number().int().min(1).max(24 * 3600).default(DEFAULT_DENY_UNANSWERED_AFTER_SECONDS),
    /** The CLI's sandbox for Bash (Linux: bubblewrap; macOS: Seatbelt): auto = on where it can run, on = required, off. */
    sandbox: z.enum(['auto', 'on', 'off']).default('auto'),
  })
  .strict();
export type PermissionsConfig = z.infer<typeof permissionsSchema>;

/** What the default beacon.yaml spells out for claude (and what a claude profile without permissions gets). */
export const DEFAULT_CLAUDE_PERMISSIONS: PermissionsConfig = {
  mode: 'default',
  allow: [],
  deny: [],
  deny_unanswered_after_seconds: DEFAULT_DENY_UNANSWERED_AFTER_SECONDS,
  sandbox: 'auto',
};

/** The value of an option in args (`--name value` or `--name=value`), or null. */
export function optionValue(args: readonly string[], name: string): string | null {
  for (const [index, arg] of args.entries()) {
    if (arg === '--') break;
    if (arg === name) return args[index + 1] ?? null;
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return null;
}

function hasOption(args: readonly string[], name: string): boolean {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  return args.slice(0, end).some((arg) => arg === name || arg.startsWith(`${name}=`));
}

/** The permission mode an older profile sets in its args (--permission-mode X, or --dangerously-skip-permissions). */
export function permissionModeInArgs(args: readonly string[]): string | null {
  if (hasOption(args, '--dangerously-skip-permissions')) return 'bypassPermissions';
  return optionValue(args, '--permission-mode');
}

const agentSchema = z
  .object({
    /** Absolute path, or a name found on the login-shell PATH. */
    command: z.string().min(1),
    /** argv; the element "{prompt}" is replaced by the prompt (exactly one element). */
    args: z.array(z.string()).default([PROMPT_PLACEHOLDER]),
    /** Output format of this agent: stream-json lines are parsed into a run summary. */
    output: z.enum(['stream-json', 'text']).default('text'),
    /**
     * Options a queued command may add (by name, e.g. "--model"); unset: the documented default for claude
     * (DEFAULT_CLAUDE_ALLOWED_FLAGS), none for other agents.
     */
    allowed_flags: z.array(z.string().regex(/^-/, 'an option name starting with "-"')).optional(),
    /** The owner's permission policy for a claude agent (docs/permissions.md); unset: the documented defaults. */
    permissions: permissionsSchema.optional(),
    /**
     * The agent's environment beyond the built-in rule (run/shell-env.ts, docs/configuration.md): `allow`
     * lets variables through that look like secrets, `deny` keeps more out. Names, or `*` patterns (`AWS_*`).
     */
    env: z
      .object({
        allow: z.array(z.string().regex(/^[A-Za-z_*][A-Za-z0-9_*]*$/, 'a variable name, * allowed')).default([]),
        deny: z.array(z.string().regex(/^[A-Za-z_*][A-Za-z0-9_*]*$/, 'a variable name, * allowed')).default([]),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((agent) => agent.args.filter((arg) => arg === PROMPT_PLACEHOLDER).length === 1, {
    message: `args must contain the element "${PROMPT_PLACEHOLDER}" exactly once`,
    path: ['args'],
  })
  .superRefine((agent, context) => {
    if (!isClaudeCommand(agent.command)) {
      if (agent.permissions) {
        context.addIssue({ code: 'custom', path: ['permissions'], message: 'permissions apply to the claude CLI only (an agent whose command is claude)' });
      }
      return;
    }
    for (const flag of BEACON_OWNED_CLAUDE_FLAGS) {
      if (hasOption(agent.args, flag)) {
        context.addIssue({
          code: 'custom',
          path: ['args'],
          message: `${flag} is set by Beacon (it carries the permission policy of agents.<name>.permissions); remove it from args`,
        });
      }
    }
    const fromArgs = permissionModeInArgs(agent.args);
    if (fromArgs !== null && !(PERMISSION_MODES as readonly string[]).includes(fromArgs)) {
      context.addIssue({ code: 'custom', path: ['args'], message: `--permission-mode ${fromArgs} is not one of ${PERMISSION_MODES.join(', ')}; set permissions.mode instead` });
    } else if (fromArgs !== null && agent.permissions?.mode && agent.permissions.mode !== fromArgs) {
      context.addIssue({
        code: 'custom',
        path: ['permissions', 'mode'],
        message: `permissions.mode is ${agent.permissions.mode} but args ask for ${fromArgs}; keep one (permissions.mode)`,
      });
    }
  });

export const configSchema = z
  .object({
    machine: z
      .object({
        /** beacon-{hostname}, written once on first start and never changed by Beacon. */
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,127}$/, 'a machine id of lower-case letters, digits and -').optional(),
        name: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    /** Where commands come from: the embedded local queue, or Mentu's Supabase. auto = supabase when a url is set. */
    command_source: z.enum(['auto', 'local', 'supabase']).default('auto'),
    supabase: z
      .object({
        url: z.url().nullable().default(null),
        workspace_ids: z.array(z.uuid()).default([]),
        /** The workspace bridge_machines registers under (default: the first of workspace_ids). */
        primary_workspace_id: z.uuid().nullable().default(null),
        /**
         * session: sign in as yourself (row-level security applies; the default on a Mac); service_role: a
         * project key from the secret store (servers); auto: session on macOS, service_role elsewhere.
         */
        auth: z.enum(['auto', 'service_role', 'session']).default('auto'),
        /** The project's anon (publishable) key, needed with auth: session. Public, not a secret; kept out of logs. */
        anon_key: z.string().min(1).nullable().default(null),
        /** Where the anon key is read from when anon_key is not set. */
        anon_key_env: z.string().default('SUPABASE_ANON_KEY'),
        /** Also keep the session in ~/.mentu/credentials, shared with `mentu login` both ways. */
        share_mentu_credentials: z.boolean().default(true),
        /** Heartbeat period in seconds. */
        heartbeat_seconds: z.number().int().min(5).max(3600).default(60),
        /** Poll backstop period in seconds, whatever the realtime socket says. */
        poll_seconds: z.number().int().min(1).max(3600).default(30),
      })
      .strict()
      .default({
        url: null,
        workspace_ids: [],
        primary_workspace_id: null,
        auth: 'auto',
        anon_key: null,
        anon_key_env: 'SUPABASE_ANON_KEY',
        share_mentu_credentials: true,
        heartbeat_seconds: 60,
        poll_seconds: 30,
      }),
    execution: z
      .object({
        /** Commands may only run in these folders (or below them), compared by real path segments. */
        allowed_directories: z.array(z.string().min(1)).default(['~']),
        default_timeout_seconds: z.number().int().positive().max(7 * 24 * 3600).default(3600),
        max_output_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
        max_concurrent: z.number().int().min(1).max(64).default(1),
        /** How long running commands may finish after SIGTERM before they are cancelled ("executor shutdown"). */
        shutdown_grace_seconds: z.number().int().min(0).max(3600).default(10),
        /** The agent used when a command names none. */
        default_agent: z.string().min(1).default('claude'),
      })
      .strict()
      .default({
        allowed_directories: ['~'],
        default_timeout_seconds: 3600,
        max_output_bytes: 10 * 1024 * 1024,
        max_concurrent: 1,
        shutdown_grace_seconds: 10,
        default_agent: 'claude',
      }),
    agents: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'an agent name of letters, digits, _ . -'), agentSchema)
      .default({ claude: { command: 'claude', args: DEFAULT_CLAUDE_ARGS, output: 'stream-json', permissions: DEFAULT_CLAUDE_PERMISSIONS } }),
    mentu: z
      .object({
        /** Mentu proxy for ledger captures (task when a command starts, evidence on finish); token from the secret store. */
        proxy_url: z.url().nullable().default(null),
      })
      .strict()
      .default({ proxy_url: null }),
    dashboard: z
      .object({
        port: z.number().int().min(0).max(65535).default(0),
      })
      .strict()
      .default({ port: 0 }),
  })
  .strict();

export type BeaconConfig = z.infer<typeof configSchema>;
export type AgentProfile = BeaconConfig['agents'][string];

/** The effective auth mode: auto means session on a Mac (a desktop), the service role elsewhere (servers). */
export function effectiveAuth(config: BeaconConfig, platform: NodeJS.Platform = process.platform): 'service_role' | 'session' {
  if (config.supabase.auth === 'auto') return platform === 'darwin' ? 'session' : 'service_role';
  return config.supabase.auth;
}

/** The project's anon key: supabase.anon_key, else the variable named by supabase.anon_key_env. */
export function anonKeyOf(config: BeaconConfig, env: NodeJS.ProcessEnv): string | null {
  return config.supabase.anon_key ?? (env[config.supabase.anon_key_env]?.trim() || null);
}

/** The effective command source: auto means Supabase when a URL is configured, else the local queue. */
export function effectiveSource(config: BeaconConfig): 'local' | 'supabase' {
  if (config.command_source === 'auto') return config.supabase.url ? 'supabase' : 'local';
  return config.command_source;
}
