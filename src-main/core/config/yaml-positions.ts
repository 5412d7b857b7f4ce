import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

/** Where things are in a parsed beacon.yaml, so every error can say "line 12, column 19". */

export interface FilePosition {
  offset: number;
  line: number;
  col: number;
}

function keyName(pair: Pair): string | null {
  return isScalar(pair.key) ? String(pair.key.value) : null;
}

function rangeStart(node: unknown): number | null {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : null;
}

/**
 * The position of the value at `path` (or of its key when `atKey`), falling back to the nearest ancestor
 * that exists in the file (a missing key is reported where its parent is).
 */
export function positionOf(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  atKey = false,
): FilePosition | null {
  let node: unknown = doc.contents;
  let best = rangeStart(node);
  for (const [index, key] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyName(item) === String(key));
      if (!pair) break;
      const start = last && atKey ? rangeStart(pair.key) : (rangeStart(pair.value) ?? rangeStart(pair.key));
      best = start ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      best = rangeStart(node) ?? best;
    } else break;
  }
  if (best === null) return null;
  const { line, col } = lines.linePos(best);
  return { offset: best, line, col };
}

/** The key path of the innermost mapping entry containing `offset` (for YAML syntax errors). */
export function keyPathAtOffset(doc: Document, offset: number): (string | number)[] {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((item) => {
        const start = rangeStart(item.key);
        const end = (item.value as Node | null)?.range?.[2] ?? (item.key as Node | null)?.range?.[2];
        return start !== null && end !== undefined && start <= offset && offset <= end;
      });
      const name = pair ? keyName(pair) : null;
      if (!pair || name === null) return path;
      path.push(name);
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => {
        const range = (item as Node | null)?.range;
        return !!range && range[0] <= offset && offset <= range[2];
      });
      if (index < 0) return path;
      path.push(index);
      node = node.items[index];
    } else return path;
  }
}
