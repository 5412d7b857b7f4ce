#!/usr/bin/env node
// The stand-in agent with a spawn marker: `node marking-agent.mjs <marker file> -p <prompt>` appends one
// JSON line (wall-clock ms when it started, pid, cwd, the prompt's length and first 80 characters) to the marker file, then runs
// tests/support/fake-agent.mjs unchanged (it finds the prompt after -p). Proves what was spawned.
import { appendFileSync } from 'node:fs';

const marker = process.argv[2];
const pIndex = process.argv.indexOf('-p');
const prompt = pIndex >= 0 ? (process.argv[pIndex + 1] ?? '') : '';
appendFileSync(marker, JSON.stringify({ t: performance.timeOrigin + performance.now(), pid: process.pid, cwd: process.cwd(), length: prompt.length, head: prompt.slice(0, 80) }) + '\n');
await import('../../support/fake-agent.mjs');
