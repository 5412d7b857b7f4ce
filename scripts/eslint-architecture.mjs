// ESLint rules that keep the house's shape (docs/architecture.md): imports point down the layers, never
// up, and never close a circle. Written here rather than taken from a plugin so the layer table lives in
// one readable place beside the rules that use it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';

/** The rooms of src-main, lowest first. A file may import its own layer or a lower one. */
export const LAYERS = [
  { name: 'contract', test: (p) => p.startsWith('core/contract/') },
  {
    name: 'foundation (paths, identity, logger, secrets, fs, config, lock)',
    test: (p) => /^core\/(paths|identity|logger|secrets)\.ts$/.test(p) || /^core\/(config|lock|fs)\//.test(p),
  },
  { name: 'commands, run, auth, genesis', test: (p) => /^core\/(commands|run|auth)\//.test(p) || p === 'core/genesis.ts' },
  {
    name: 'Mentu duties (approvals, worktrees, ledger, fleet, bridge-import)',
    test: (p) => p.startsWith('core/approvals/') || /^core\/(worktrees|ledger|fleet|bridge-import)\.ts$/.test(p),
  },
  { name: 'executor', test: (p) => p === 'core/executor.ts' || p.startsWith('core/executor/') },
  { name: 'api', test: (p) => p.startsWith('core/api/') },
  { name: 'shells (cli, electron)', test: (p) => p.startsWith('cli/') || p.startsWith('electron/') },
];

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts'];

/** The file a relative specifier names, as TypeScript's NodeNext resolution would find it. */
export function resolveImport(fromFile, specifier) {
  if (!specifier.startsWith('.')) return null;
  const base = normalize(join(dirname(fromFile), specifier));
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => stem + ext), ...SOURCE_EXTENSIONS.map((ext) => join(base, 'index' + ext))];
  return candidates.find((file) => existsSync(file) && statSync(file).isFile()) ?? null;
}

/** Layer index of a file under src-main (null outside it or in no room). */
export function layerOf(file, root) {
  const rel = relative(join(root, 'src-main'), file).split('\\').join('/');
  if (rel.startsWith('..')) return null;
  const index = LAYERS.findIndex((layer) => layer.test(rel));
  return index < 0 ? null : index;
}

const IMPORT_PATTERN = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

/** Relative imports of one file, read from disk. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const targets = [];
  for (const match of text.matchAll(IMPORT_PATTERN)) {
    const target = resolveImport(file, match[1] ?? match[2] ?? match[3]);
    if (target) targets.push(target);
  }
  return targets;
}

function sourceFiles(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext)))
    .map((entry) => join(entry.parentPath, entry.name));
}

const graphs = new Map();
/** The import graph of src-main and src-renderer, built once per lint run and root. */
function importGraph(root) {
  let graph = graphs.get(root);
  if (!graph) {
    graph = new Map();
    for (const file of [...sourceFiles(join(root, 'src-main')), ...sourceFiles(join(root, 'src-renderer'))]) {
      graph.set(file, importsOf(file));
    }
    graphs.set(root, graph);
  }
  return graph;
}

/** A path from `start` back to `goal` through the graph, or null. */
function pathBetween(graph, start, goal) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    if (file === goal) {
      const chain = [];
      for (let step = file; step !== null; step = previous.get(step)) chain.unshift(step);
      return chain;
    }
    for (const next of graph.get(file) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return null;
}

function eachImport(context, check) {
  const visit = (node) => {
    const value = node.source?.value;
    if (typeof value === 'string') check(node, value);
  };
  return { ImportDeclaration: visit, ExportNamedDeclaration: visit, ExportAllDeclaration: visit, ImportExpression: visit };
}

const layersRule = {
  meta: { type: 'problem', docs: { description: 'Imports point down the layers of docs/architecture.md' }, schema: [] },
  create(context) {
    const root = context.cwd;
    const file = resolve(context.filename);
    const fromLayer = layerOf(file, root);
    if (fromLayer === null) return {};
    return eachImport(context, (node, specifier) => {
      const target = resolveImport(file, specifier);
      if (!target) return;
      const toLayer = layerOf(target, root);
      if (toLayer === null) return;
      const upward = toLayer > fromLayer;
      const acrossShells = fromLayer === LAYERS.length - 1 && toLayer === fromLayer
        && relative(join(root, 'src-main'), file).split(/[\\/]/)[0] !== relative(join(root, 'src-main'), target).split(/[\\/]/)[0];
      if (upward || acrossShells) {
        context.report({
          node,
          message: upward
            ? `'${specifier}' runs up a layer: ${LAYERS[fromLayer].name} may not import ${LAYERS[toLayer].name}. Move the shared piece down (contract/ for types) or pass it in.`
            : `'${specifier}' crosses shells: the CLI and the Electron shell each import only the core.`,
        });
      }
    });
  },
};

const noCycleRule = {
  meta: { type: 'problem', docs: { description: 'No import closes a circle' }, schema: [] },
  create(context) {
    const root = context.cwd;
    const file = resolve(context.filename);
    const graph = importGraph(root);
    if (!graph.has(file)) return {};
    return eachImport(context, (node, specifier) => {
      const target = resolveImport(file, specifier);
      if (!target) return;
      const back = pathBetween(graph, target, file);
      if (back) {
        const chain = [file, ...back].map((step) => relative(root, step)).join(' → ');
        context.report({ node, message: `'${specifier}' closes an import circle: ${chain}` });
      }
    });
  },
};

export default { rules: { layers: layersRule, 'no-cycle': noCycleRule } };
