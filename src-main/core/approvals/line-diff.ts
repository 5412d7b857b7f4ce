/**
 * A unified diff of two texts, by lines (longest common subsequence), with three lines of context: what a person
 * reads before allowing a Write or an Edit. Bounded: very large inputs are shown as a replacement, not computed.
 */

const CONTEXT = 3;
/** Above this many line pairs the table would cost too much memory: show the change as a whole replacement. */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

export function unifiedDiff(before: string, after: string, name: string): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = a.length * b.length > MAX_CELLS ? replaceAll(a, b) : lcsOps(a, b);
  const header = [`--- ${before === '' && a.length === 0 ? '/dev/null' : name}`, `+++ ${name}`];
  return [...header, ...hunks(ops)].join('\n');
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function replaceAll(a: string[], b: string[]): Op[] {
  return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
}

function lcsOps(a: string[], b: string[]): Op[] {
  // Common head and tail first: most edits touch a few lines of a long file.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  // lengths[i][j]: LCS of midA[i..] and midB[j..], one flat array.
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] = midA[i] === midB[j]
        ? (lengths[(i + 1) * (m + 1) + j + 1] as number) + 1
        : Math.max(lengths[(i + 1) * (m + 1) + j] as number, lengths[i * (m + 1) + j + 1] as number);
    }
  }
  const ops: Op[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ kind: ' ', line: midA[i] as string });
      i++;
      j++;
    } else if (j < m && (i === n || (lengths[i * (m + 1) + j + 1] as number) >= (lengths[(i + 1) * (m + 1) + j] as number))) {
      ops.push({ kind: '+', line: midB[j] as string });
      j++;
    } else {
      ops.push({ kind: '-', line: midA[i] as string });
      i++;
    }
  }
  for (const line of a.slice(endA)) ops.push({ kind: ' ', line });
  // Removals before additions inside a change reads better: reorder each run of changes.
  return groupChanges(ops);
}

function groupChanges(ops: Op[]): Op[] {
  const out: Op[] = [];
  let removed: Op[] = [];
  let added: Op[] = [];
  const flush = (): void => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const op of ops) {
    if (op.kind === '-') removed.push(op);
    else if (op.kind === '+') added.push(op);
    else {
      flush();
      out.push(op);
    }
  }
  flush();
  return out;
}

function hunks(ops: Op[]): string[] {
  const lines: string[] = [];
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) return ['(no change)'];
  let cursor = 0;
  while (cursor < changed.length) {
    const first = changed[cursor] as number;
    let last = first;
    // Join changes whose context would touch.
    while (cursor + 1 < changed.length && (changed[cursor + 1] as number) - last <= CONTEXT * 2 + 1) last = changed[++cursor] as number;
    cursor++;
    const from = Math.max(0, first - CONTEXT);
    const to = Math.min(ops.length, last + CONTEXT + 1);
    const slice = ops.slice(from, to);
    const oldStart = ops.slice(0, from).filter((op) => op.kind !== '+').length + 1;
    const newStart = ops.slice(0, from).filter((op) => op.kind !== '-').length + 1;
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    lines.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const op of slice) lines.push(`${op.kind}${op.line}`);
  }
  return lines;
}
