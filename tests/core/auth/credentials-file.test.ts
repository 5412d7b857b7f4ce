import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialsFileError, parseExpiry, readCredentialsFile, writeCredentialsFile } from '../../../src-main/core/auth/credentials-file.js';
import { mentuPaths } from '../../../src-main/core/paths.js';
import { createHeadlessSecretStore } from '../../../src-main/core/secrets.js';

/** ~/.mentu/credentials as `mentu login` writes it, read strictly and written back in its style. */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileWith(text: string, mode = 0o600): string {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-cred-'));
  dirs.push(dir);
  const file = join(dir, 'credentials');
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
  return file;
}

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.secret-signature-part';

describe('the mentu credentials file', () => {
  it('parses expiry in seconds, milliseconds and ISO form', () => {
    expect(parseExpiry(1_800_000_000)).toBe(1_800_000_000_000);
    expect(parseExpiry(1_800_000_000_123)).toBe(1_800_000_000_123);
    expect(parseExpiry('2027-01-01T00:00:00Z')).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(parseExpiry('1800000000')).toBe(1_800_000_000_000);
    expect(parseExpiry(null)).toBeNull();
  });

  it('reads what mentu writes; a file without a session is no session', () => {
    const file = fileWith(JSON.stringify({ cloud: { accessToken: TOKEN, refreshToken: 'r1', expiresAt: '2027-01-01T00:00:00.000Z', userId: 'u1', email: 'a@b.c' } }));
    expect(readCredentialsFile(file)).toEqual({ accessToken: TOKEN, refreshToken: 'r1', expiresAtMs: Date.parse('2027-01-01T00:00:00Z'), userId: 'u1', email: 'a@b.c' });
    expect(readCredentialsFile(fileWith(JSON.stringify({ other: 1 })))).toBeNull();
    expect(readCredentialsFile(join(tmpdir(), 'no-such-dir-beacon', 'credentials'))).toBeNull();
  });

  it('a file readable by others is refused like the secrets file, naming the fix', () => {
    const file = fileWith(JSON.stringify({ cloud: { accessToken: TOKEN } }), 0o644);
    expect(() => readCredentialsFile(file)).toThrow(CredentialsFileError);
    expect(() => readCredentialsFile(file)).toThrow(`readable by other users (mode 644); Beacon will not use the session in it. Run: chmod 600 ${file}`);
  });

  it('malformed JSON names the file and the line and column, and never shows the token', () => {
    const file = fileWith(`{\n  "cloud": {\n    "accessToken": "${TOKEN}",\n  }\n}\n`);
    let message = '';
    try {
      readCredentialsFile(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(`${file} is not valid JSON (line 4, column 3: unexpected "}"). Fix it, or delete it and sign in again.`);
    expect(message).not.toContain('secret-signature');
    const truncated = fileWith('{"cloud": {"accessToken": "abc"');
    expect(() => readCredentialsFile(truncated)).toThrow('(line 1, column 32: unexpected end of file)');
  });

  it('the secrets file gets the same treatment: malformed JSON is named, not thrown as a SyntaxError', async () => {
    const home = mkdtempSync(join(tmpdir(), 'beacon-secrets-json-'));
    dirs.push(home);
    const paths = mentuPaths({ MENTU_HOME: home });
    writeFileSync(paths.secrets, '{"supabase_key": "sk-very-secret",,}', { mode: 0o600 });
    const store = createHeadlessSecretStore(paths, {});
    await expect(store.get('supabase_key')).rejects.toThrow(`${paths.secrets} is not valid JSON (line 1, column 35: unexpected ",")`);
    await expect(store.get('supabase_key')).rejects.not.toThrow(/sk-very-secret/);
  });

  it('writes the session back owner-only, keeping the other keys and mentu\'s ISO expiry style', () => {
    const file = fileWith(JSON.stringify({ other: 'kept', cloud: { accessToken: 'old', refreshToken: 'r0', expiresAt: '2026-01-01T00:00:00.000Z', userId: 'u1', email: 'a@b.c', extra: 'x' } }));
    writeCredentialsFile(file, { accessToken: TOKEN, refreshToken: 'r1', expiresAtMs: Date.parse('2027-02-03T04:05:06Z'), userId: null, email: null });
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { other: string; cloud: Record<string, unknown> };
    expect(stored).toEqual({
      other: 'kept',
      cloud: { accessToken: TOKEN, refreshToken: 'r1', expiresAt: '2027-02-03T04:05:06.000Z', userId: 'u1', email: 'a@b.c', extra: 'x' },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A file that spelled the expiry in epoch seconds keeps doing so.
    const seconds = fileWith(JSON.stringify({ cloud: { accessToken: 'old', expiresAt: 1_800_000_000 } }));
    writeCredentialsFile(seconds, { accessToken: TOKEN, refreshToken: 'r1', expiresAtMs: 1_900_000_000_000, userId: 'u1', email: null });
    expect((JSON.parse(readFileSync(seconds, 'utf8')) as { cloud: { expiresAt: number } }).cloud.expiresAt).toBe(1_900_000_000);
  });
});
