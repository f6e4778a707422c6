// The layering of Tresor, enforced by ESLint (see docs/ARCHITECTURE.md):
// - @tresor/crypto is pure and isomorphic: no Node built-ins, nothing else from the repo;
// - server modules reach each other (and the composition root reaches them) only through index.ts.
import { builtinModules } from 'node:module';
import { dirname, resolve, sep } from 'node:path';

/** Options for ESLint's core `no-restricted-imports` rule in packages/crypto. */
export const cryptoImportRestrictions = {
  patterns: [
    {
      group: ['node:*', ...builtinModules.filter((name) => !name.startsWith('_'))],
      message: '@tresor/crypto must run in browsers too: no Node built-ins (use WebCrypto).',
    },
    {
      group: ['@tresor/*'],
      message: '@tresor/crypto is the bottom layer: it imports nothing from the repo.',
    },
  ],
};

const MODULES_DIR = `${sep}packages${sep}server${sep}src${sep}modules${sep}`;

function moduleOf(path) {
  const at = path.indexOf(MODULES_DIR);
  if (at === -1) return undefined;
  const [name, ...rest] = path.slice(at + MODULES_DIR.length).split(sep);
  return { name, rest: rest.join('/') };
}

/** Custom rule: a server module is entered only through its index.ts. */
export const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Server modules import each other only through their index.ts' },
    messages: {
      deepImport: "'{{source}}' reaches into module '{{target}}'; import from '{{target}}/index.js' instead.",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const own = moduleOf(file);
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = moduleOf(resolve(dirname(file), source));
      if (target === undefined || target.name === own?.name) return;
      if (['', 'index', 'index.js', 'index.ts'].includes(target.rest)) return;
      context.report({ node, messageId: 'deepImport', data: { source, target: target.name } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export const tresorPlugin = { rules: { 'module-boundaries': moduleBoundaries } };
