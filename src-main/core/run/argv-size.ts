import type { AgentInvocation } from './runner.js';

/**
 * Whether the kernel will accept the agent's argv and environment. A refusal (E2BIG) happens inside the pty's
 * child after the fork, where it is seen only as "exited with code 1"; checked before the spawn, it gets a reason.
 * Linux refuses any single argument over MAX_ARG_STRLEN (128 KiB) and all of argv + environment over ARG_MAX
 * (2 MiB with the usual 8 MiB stack); macOS caps argv + environment at 1 MiB.
 */
const LINUX = process.platform === 'linux';
export const MAX_ARG_BYTES = LINUX ? 128 * 1024 - 1 : 768 * 1024;
/** Leaves room for the pty helper's own additions and the auxiliary vector. */
export const MAX_ARGV_ENV_BYTES = (LINUX ? 2 * 1024 * 1024 : 1024 * 1024) - 16 * 1024;
const POINTER_BYTES = 8;

export function argvProblem(invocation: AgentInvocation, prompt: string, env: Record<string, string>): string | null {
  const promptBytes = Buffer.byteLength(prompt, 'utf8');
  if (promptBytes > MAX_ARG_BYTES) {
    return `Prompt too long: ${promptBytes} bytes, but the agent receives it as one command-line argument and this system allows at most ${MAX_ARG_BYTES} bytes; shorten it or put the details in a file in the working directory`;
  }
  let total = Buffer.byteLength(invocation.file, 'utf8') + 1 + POINTER_BYTES;
  for (const arg of invocation.args) {
    const bytes = Buffer.byteLength(arg, 'utf8');
    if (bytes > MAX_ARG_BYTES) {
      return `An argument of the agent is too long: ${bytes} bytes (${JSON.stringify(arg.slice(0, 40))}…), over this system's ${MAX_ARG_BYTES}-byte limit for one argument; shorten the command's flags or the agent's args`;
    }
    total += bytes + 1 + POINTER_BYTES;
  }
  let envBytes = 0;
  for (const [name, value] of Object.entries(env)) envBytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8') + 2 + POINTER_BYTES;
  if (total + envBytes > MAX_ARGV_ENV_BYTES) {
    return `The agent's command line and environment are too large to start it: ${total} bytes of arguments and ${envBytes} of environment, over this system's ${MAX_ARGV_ENV_BYTES}; shorten the prompt or the flags, or remove large variables from the environment Beacon runs in`;
  }
  return null;
}
