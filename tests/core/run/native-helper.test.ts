import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import { markDescriptorsCloseOnExec, nativeHelperStatus, peerProcessId } from '../../../src-main/core/run/native.js';

/** Beacon's native helper (native/beacon_native.c), built by npm install: issue 15, points 1 and 7. */
const linux = process.platform === 'linux';
const O_CLOEXEC = 0o2000000;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function closeOnExec(fd: number): boolean {
  const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  return (parseInt(flags![1]!, 8) & O_CLOEXEC) !== 0;
}

describe.runIf(linux)('the native helper', () => {
  it('is built and loads', () => {
    expect(nativeHelperStatus()).toMatchObject({ ok: true });
  });

  it('marks the pty master that node-pty hands back inheritable as close-on-exec', () => {
    // (Never node-pty's open(): its destroy() signals pid -1, i.e. every process this user may signal.)
    const agent = pty.spawn('/bin/sleep', ['30'], {});
    expect(agent.pid).toBeGreaterThan(1);
    cleanups.push(() => process.kill(agent.pid, 'SIGKILL'));
    const master = (agent as unknown as { _fd: number })._fd;
    expect(closeOnExec(master)).toBe(false); // what forkpty returns: every later child would inherit it
    expect(markDescriptorsCloseOnExec()).toBe(true);
    expect(closeOnExec(master)).toBe(true);
  });

  it('names the process on the other end of a unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-peer-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 's.sock');
    const peers: (number | null)[] = [];
    const accepted = new Promise<void>((resolve) => {
      const server = createServer((socket: Socket) => {
        peers.push(peerProcessId((socket as unknown as { _handle: { fd: number } })._handle.fd));
        socket.destroy();
        server.close();
        resolve();
      });
      server.listen(path);
      cleanups.push(() => server.close());
    });
    const child = spawn(process.execPath, ['-e', `require('net').connect(${JSON.stringify(path)}).on('close', () => process.exit(0))`]);
    await accepted;
    expect(peers).toEqual([child.pid]);
    child.kill();
  });
});
