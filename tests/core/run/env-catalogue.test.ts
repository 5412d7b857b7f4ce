import { describe, expect, it } from 'vitest';
import { agentEnvironment } from '../../../src-main/core/run/shell-env.js';

/**
 * Issue 15, point 6: what of the login-shell environment reaches the agent. Beacon's own keys were kept
 * out, but DB_PASS, SMTP_PASS, SECRET_KEY_BASE, MYSQL_PWD, CI_JOB_JWT, connection strings with AccountKey=
 * and URLs whose password holds '/' went through. The rule (docs/configuration.md, "The agent's
 * environment"): secret-looking names and credential-carrying values stay out; the agent's own sign-in
 * passes; `agents.<name>.env.allow` / `deny` in beacon.yaml adjust it, never for Beacon's own credentials.
 */
const kept: [string, string][] = [
  ['DB_PASS', 'hunter2'],
  ['SMTP_PASS', 'mailpw'],
  ['SECRET_KEY_BASE', 'a'.repeat(64)],
  ['MYSQL_PWD', 'root'],
  ['CI_JOB_JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'],
  ['CI_JOB_JWT_V2', 'x'],
  ['AZURE_STORAGE_CONNECTION_STRING', 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc/def==;EndpointSuffix=core.windows.net'],
  ['STORAGE', 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc/def=='],
  ['SERVICEBUS', 'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v'],
  ['SQLSERVER', 'Server=tcp:db;Database=app;User Id=sa;Password=p@ss;'],
  ['MONGO', 'mongodb://app:pa/ss@db:27017/app'],
  ['REDIS_URL', 'redis://:s3cr/et@cache:6379/0'],
  ['DATABASE_URL', 'postgres://u:p@h/db'],
  ['PGPASSWORD', 'pg'],
  ['DB_PASSWORD', 'x'],
  ['LDAP_BIND_PASSWD', 'x'],
  ['GPG_PASSPHRASE', 'x'],
  ['NPM_TOKEN', 'npm_abc'],
  ['GITHUB_TOKEN', 'ghp_abc'],
  ['HOMEBREW_GITHUB_API_TOKEN', 'x'],
  ['STRIPE_SECRET_KEY', 'sk_live_abc'],
  ['OPENAI_API_KEY', 'sk-proj-abc'],
  ['AWS_SECRET_ACCESS_KEY', 'x'],
  ['AWS_SESSION_TOKEN', 'x'],
  ['SUPABASE_SERVICE_ROLE_KEY', 'x'],
  ['BEACON_SUPABASE_KEY', 'x'],
  ['SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/T/B/X'],
  ['SENTRY_DSN', 'https://k@o.ingest.sentry.io/1'],
  ['JWT_SIGNING_KEY', 'x'],
  ['SESSION_COOKIE', 'x'],
  ['PRIVATE_KEY_PEM', 'x'],
  ['DEPLOY_KEY', '-----BEGIN OPENSSH PRIVATE KEY-----\nabc'],
  ['SOMETHING', 'ghp_0123456789abcdefghij'],
  ['BASIC_AUTH', 'user:pw'],
  ['HTTP_PROXY', 'http://user:pa/ss@proxy:3128'],
];
const passed: [string, string][] = [
  ['PATH', '/usr/bin:/bin'],
  ['HOME', '/home/me'],
  ['LANG', 'en_US.UTF-8'],
  ['TERM', 'xterm-256color'],
  ['PWD', '/home/me/code'],
  ['OLDPWD', '/home/me'],
  ['SHELL', '/bin/zsh'],
  ['USER', 'me'],
  ['EDITOR', 'vim'],
  ['SSH_AUTH_SOCK', '/tmp/ssh-x/agent.1'],
  ['GIT_AUTHOR_NAME', 'Me'],
  ['NODE_ENV', 'development'],
  ['JAVA_HOME', '/usr/lib/jvm/java'],
  ['XDG_SESSION_TYPE', 'x11'],
  ['KUBECONFIG', '/home/me/.kube/config'],
  ['HTTP_PROXY_PORT', '3128'],
  ['NO_PROXY', 'localhost'],
  ['HTTPS_PROXY', 'http://proxy:3128'],
  ['CLAUDE_CODE_OAUTH_TOKEN', 'the agent signs in with this'],
  ['ANTHROPIC_API_KEY', 'sk-ant-the agent bills with this'],
];

const envOf = (rule?: { allow?: string[]; deny?: string[] }, base: Record<string, string> = Object.fromEntries([...kept, ...passed])) =>
  agentEnvironment(base, { commandId: 'c', workspaceId: null, ...(rule ? { rule } : {}) } as Parameters<typeof agentEnvironment>[1]);

describe(`the agent's environment: a catalogue of ${kept.length + passed.length} variables`, () => {
  const env = envOf();
  for (const [name, value] of kept) {
    it(`keeps out ${name}=${JSON.stringify(value.slice(0, 30))}`, () => expect(env[name]).toBeUndefined());
  }
  for (const [name, value] of passed) {
    it(`passes ${name}`, () => expect(env[name]).toBe(value));
  }
  it('no value of a kept variable appears anywhere in what the agent gets', () => {
    const everything = Object.values(env).join('\n');
    for (const [, value] of kept) if (value.length > 6) expect(everything).not.toContain(value);
  });
});

describe('agents.<name>.env in beacon.yaml', () => {
  it('allow lets a secret-looking variable through; deny keeps an ordinary one out; patterns with *', () => {
    const env = envOf({ allow: ['NPM_TOKEN', 'DB_*'], deny: ['HTTPS_PROXY', 'XDG_*'] });
    expect(env.NPM_TOKEN).toBe('npm_abc');
    expect(env.DB_PASS).toBe('hunter2');
    expect(env.HTTPS_PROXY).toBeUndefined();
    expect(env.XDG_SESSION_TYPE).toBeUndefined();
    expect(env.PATH).toBe('/usr/bin:/bin');
  });

  it("never lets Beacon's own credentials through, whatever allow says", () => {
    const env = envOf({ allow: ['*'] });
    expect(env.BEACON_SUPABASE_KEY).toBeUndefined();
    expect(env.SUPABASE_SERVICE_ROLE_KEY).toBeUndefined();
    expect(env.DB_PASS).toBe('hunter2');
  });
});
