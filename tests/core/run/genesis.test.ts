import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkGenesisExecute } from '../../../src-main/core/genesis.js';
import { ACTOR } from '../../../src-main/core/identity.js';

const root = mkdtempSync(join(tmpdir(), 'beacon-genesis-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function workspace(genesis: string | null): string {
  const dir = join(root, `ws-${++n}`);
  mkdirSync(join(dir, '.mentu'), { recursive: true });
  if (genesis !== null) writeFileSync(join(dir, '.mentu', 'genesis.key'), genesis);
  return dir;
}
const deniedText = (dir: string) =>
  `Genesis enforcement denied: Actor 'agent:executor' does not have permission to perform 'execute' (${join(dir, '.mentu', 'genesis.key')})`;

// The shape of mentu-web's .mentu/genesis.key (docs/mentu-schema.md#genesis).
const ENFORCER = `
identity: { workspace: "mentu-web", owner: "rashid" }
permissions:
  actors:
    "agent:executor": { role: executor, author_types: [executor], operations: [capture, commit, claim, release, close, annotate, submit, execute] }
    "agent:bridge-*": { role: helper, operations: [capture] }
    "agent:*": { role: any, operations: [capture, execute] }
  defaults: { authenticated: { operations: [capture, annotate] } }
trust_gradient:
  enabled: true
  author_types: { executor: { allowed_operations: [capture, commit, execute] }, architect: { allowed_operations: [execute] } }
  constraints: [ { match: { author_type: architect }, deny: [close, approve, submit, commit] } ]
`;

describe('checkGenesisExecute', () => {
  it('no file, or no permissions section: allowed', () => {
    expect(checkGenesisExecute(join(root, 'no-such-dir'), ACTOR)).toEqual({ allowed: true, note: null });
    expect(checkGenesisExecute(workspace(null), ACTOR)).toEqual({ allowed: true, note: null });
    expect(checkGenesisExecute(workspace('identity: { workspace: x }\n'), ACTOR)).toEqual({ allowed: true, note: null });
  });

  it('enforcer format: exact match allowed, longest wildcard decides, defaults apply without a match', () => {
    const dir = workspace(ENFORCER);
    expect(checkGenesisExecute(dir, ACTOR)).toEqual({ allowed: true, note: null });
    // agent:bridge-executor matches both agent:* and agent:bridge-*; the longer one has no execute.
    expect(checkGenesisExecute(dir, 'agent:bridge-executor')).toEqual({ allowed: false, reason: deniedText(dir).replace('agent:executor', 'agent:bridge-executor') });
    expect(checkGenesisExecute(dir, 'agent:other')).toEqual({ allowed: true, note: null });
    expect(checkGenesisExecute(dir, 'human:rashid').allowed).toBe(false); // defaults: capture, annotate
  });

  it('enforcer format: denied when the actor lacks execute, or the trust gradient forbids it', () => {
    const noExecute = workspace(ENFORCER.replace('annotate, submit, execute]', 'annotate, submit]'));
    expect(checkGenesisExecute(noExecute, ACTOR)).toEqual({ allowed: false, reason: deniedText(noExecute) });
    const gradient = workspace(ENFORCER.replace('allowed_operations: [capture, commit, execute]', 'allowed_operations: [capture]'));
    expect(checkGenesisExecute(gradient, ACTOR)).toEqual({ allowed: false, reason: deniedText(gradient) });
    const constrained = workspace(ENFORCER.replace('deny: [close, approve, submit, commit]', 'deny: [execute]').replace('author_types: [executor]', 'author_types: [architect]'));
    expect(checkGenesisExecute(constrained, ACTOR).allowed).toBe(false);
    const gradientOff = workspace(ENFORCER.replace('enabled: true', 'enabled: false').replace('allowed_operations: [capture, commit, execute]', 'allowed_operations: []'));
    expect(checkGenesisExecute(gradientOff, ACTOR)).toEqual({ allowed: true, note: null });
  });

  it('docs-site format without execute: allowed with a note, not denied for everyone', () => {
    const dir = workspace(`
workspace: { name: "Vendora", slug: "vendora-app", default_tier: "t2" }
permissions:
  close: { allow: ["human:rashid"], deny: ["agent:*"] }
  capture: { allow: ["*"] }
tiers:
  t1: { name: "Trivial", auto_close: true }
`);
    expect(checkGenesisExecute(dir, ACTOR)).toEqual({
      allowed: true,
      note: `docs-site genesis format does not govern execute (${join(dir, '.mentu', 'genesis.key')})`,
    });
  });

  it('docs-site format with execute: deny list first, then allow list, else denied', () => {
    const allowAgents = workspace('workspace: { name: w, slug: w }\npermissions:\n  execute: { allow: ["agent:*"] }\n');
    expect(checkGenesisExecute(allowAgents, ACTOR)).toEqual({ allowed: true, note: null });
    const denyExecutor = workspace('workspace: { name: w, slug: w }\npermissions:\n  execute: { allow: ["agent:*"], deny: ["agent:executor"] }\n');
    expect(checkGenesisExecute(denyExecutor, ACTOR)).toEqual({ allowed: false, reason: deniedText(denyExecutor) });
    const humansOnly = workspace('workspace: { name: w, slug: w }\npermissions:\n  execute: { allow: ["human:*"] }\n');
    expect(checkGenesisExecute(humansOnly, ACTOR)).toEqual({ allowed: false, reason: deniedText(humansOnly) });
  });

  it('an unparsable file is denied with a reason naming it (fail closed)', () => {
    const dir = workspace('permissions:\n  actors: [unclosed\n  "x": {');
    const decision = checkGenesisExecute(dir, ACTOR);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed ? '' : decision.reason).toMatch(
      new RegExp(`^Genesis enforcement denied: ${join(dir, '.mentu', 'genesis.key').replace(/[.]/g, '\\.')} is not valid YAML \\(.+\\); fix or remove it$`),
    );
    const scalar = workspace('just a string\n');
    expect(checkGenesisExecute(scalar, ACTOR).allowed).toBe(false);
  });
});
