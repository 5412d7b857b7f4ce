import { z } from 'zod';

/**
 * The schema of ~/.mentu/beacon.yaml. Keys are snake_case like Mentu's other files. Unknown keys are
 * errors (a typo must not be silently ignored). Secrets never live here: keys come from the secret store.
 */

export const PROMPT_PLACEHOLDER = '{prompt}';

export const DEFAULT_CLAUDE_ARGS = ['-p', PROMPT_PLACEHOLDER, '--output-format', 'stream-json', '--verbose'];

const agentSchema = z
  .object({
    /** Absolute path, or a name found on the login-shell PATH. */
    command: z.string().min(1),
    /** argv; the element "{prompt}" is replaced by the prompt (exactly one element). */
    args: z.array(z.string()).default([PROMPT_PLACEHOLDER]),
    /** Output format of this agent: stream-json lines are parsed into a run summary. */
    output: z.enum(['stream-json', 'text']).default('text'),
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
        /** service_role: a key from the secret store; session: the `mentu login` session in ~/.mentu/credentials. */
        auth: z.enum(['service_role', 'session']).default('service_role'),
        /** The project's anon key, needed with auth=session (not a secret, but still kept out of logs). */
        anon_key_env: z.string().default('SUPABASE_ANON_KEY'),
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
        auth: 'service_role',
        anon_key_env: 'SUPABASE_ANON_KEY',
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
      .default({ claude: { command: 'claude', args: DEFAULT_CLAUDE_ARGS, output: 'stream-json' } }),
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

/** The effective command source: auto means Supabase when a URL is configured, else the local queue. */
export function effectiveSource(config: BeaconConfig): 'local' | 'supabase' {
  if (config.command_source === 'auto') return config.supabase.url ? 'supabase' : 'local';
  return config.command_source;
}
