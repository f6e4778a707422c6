import { dirname, isAbsolute, normalize } from 'node:path';
import { type XmlElement, type XmlProblem, parseXml } from './xml-tree.js';

/** The manifest schema version this build reads (docs/BACKUP_PLAN.md, "Manifest format"). */
export const MANIFEST_VERSION = 1;
export const MANIFEST_ROOT = 'backup-manifest';

export const CONSISTENCY_HINTS = ['dump-first', 'stop-service', 'quiesce', 'none'] as const;
export type ConsistencyKind = (typeof CONSISTENCY_HINTS)[number];

/** A shell command run before or after the product's paths are backed up. */
export interface HookCommand {
  readonly command: string;
  readonly timeoutSeconds: number;
}

export interface ConsistencyHint {
  readonly kind: ConsistencyKind;
  /** The service a `stop-service` hint names. */
  readonly service?: string;
  readonly note: string;
}

/** A valid manifest with its placeholders replaced. */
export interface Manifest {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly version: string;
  readonly home?: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly pre: readonly HookCommand[];
  readonly post: readonly HookCommand[];
  readonly hints: readonly ConsistencyHint[];
}

export type ManifestResult = { readonly manifest: Manifest } | { readonly problems: readonly XmlProblem[] };

export const DEFAULT_HOOK_TIMEOUT_SECONDS = 600;
export const MAX_HOOK_TIMEOUT_SECONDS = 24 * 3600;
const PRODUCT_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const TOP_LEVEL = new Set(['product', 'include', 'exclude', 'pre-command', 'post-command', 'consistency']);
const PRODUCT_FIELDS = new Set(['name', 'vendor', 'version', 'home']);
/** The attributes each top-level element may have; none of them has child elements. */
const ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  include: ['path'],
  exclude: ['pattern'],
  'pre-command': ['timeout'],
  'post-command': ['timeout'],
  consistency: ['hint', 'service'],
};

class Collector {
  readonly problems: XmlProblem[] = [];
  at(element: XmlElement, message: string): void {
    this.problems.push({ line: element.line, column: element.column, message });
  }
}

function onlyChild(
  parent: XmlElement,
  name: string,
  out: Collector,
  required: boolean,
): XmlElement | undefined {
  const found = parent.children.filter((child) => child.name === name);
  if (found.length > 1) out.at(found[1]!, `<${name}> may appear only once in <${parent.name}>`);
  if (found.length === 0 && required) out.at(parent, `<${parent.name}> needs a <${name}> element`);
  return found[0];
}

function textOf(element: XmlElement | undefined, out: Collector): string | undefined {
  if (!element) return undefined;
  const text = element.text.trim();
  if (text === '') out.at(element, `<${element.name}> must not be empty`);
  return text;
}

/** Reports attributes other than `known` and any child element (its text would be lost). */
function checkShape(element: XmlElement, known: readonly string[], out: Collector): void {
  for (const [name, value] of Object.entries(element.attributes)) {
    if (!known.includes(name)) {
      out.at(
        element,
        `unknown attribute ${name}="${value}" on <${element.name}> (known: ${known.join(', ')})`,
      );
    }
  }
  for (const child of element.children) {
    out.at(child, `unknown element <${child.name}> in <${element.name}> (it takes no child elements)`);
  }
}

/** Reports `${...}` placeholders other than `vars` in a command, which is not changed. */
function checkPlaceholders(
  value: string,
  element: XmlElement,
  vars: ReadonlyMap<string, string>,
  out: Collector,
): void {
  for (const [whole, name] of value.matchAll(PLACEHOLDER)) {
    if (!vars.has(name!)) {
      out.at(
        element,
        `unknown placeholder ${whole} (known: ${[...vars.keys()].map((k) => `\${${k}}`).join(', ')})`,
      );
    }
  }
}

function expand(
  value: string,
  element: XmlElement,
  vars: ReadonlyMap<string, string>,
  out: Collector,
): string {
  return value.replace(PLACEHOLDER, (whole, name: string) => {
    const replacement = vars.get(name);
    if (replacement === undefined) {
      out.at(
        element,
        `unknown placeholder ${whole} (known: ${[...vars.keys()].map((k) => `\${${k}}`).join(', ')})`,
      );
      return whole;
    }
    return replacement;
  });
}

function hook(
  element: XmlElement,
  vars: ReadonlyMap<string, string>,
  out: Collector,
): HookCommand | undefined {
  const command = textOf(element, out);
  const raw = element.attributes.timeout;
  let timeoutSeconds = DEFAULT_HOOK_TIMEOUT_SECONDS;
  if (raw !== undefined) {
    timeoutSeconds = Number(raw);
    if (
      !Number.isSafeInteger(timeoutSeconds) ||
      timeoutSeconds < 1 ||
      timeoutSeconds > MAX_HOOK_TIMEOUT_SECONDS
    ) {
      out.at(element, `timeout="${raw}" must be a whole number of seconds, 1..${MAX_HOOK_TIMEOUT_SECONDS}`);
    }
  }
  if (!command) return undefined;
  // Not substituted: the command gets MANIFEST_DIR and PRODUCT_HOME as environment variables, so
  // the shell expands them without parsing their value again (a space or "$(...)" in a directory
  // name stays part of the name when the command quotes them, "${PRODUCT_HOME}/bin/dump").
  checkPlaceholders(command, element, vars, out);
  return { command, timeoutSeconds };
}

function hint(element: XmlElement, out: Collector): ConsistencyHint | undefined {
  const kind = element.attributes.hint;
  if (!CONSISTENCY_HINTS.includes(kind as ConsistencyKind)) {
    out.at(element, `<consistency hint="${kind ?? ''}"> must be one of ${CONSISTENCY_HINTS.join(', ')}`);
    return undefined;
  }
  const service = element.attributes.service;
  if (kind === 'stop-service' && !service)
    out.at(element, 'hint="stop-service" needs a service="..." attribute');
  return { kind: kind as ConsistencyKind, ...(service ? { service } : {}), note: element.text.trim() };
}

function absolutePath(value: string, element: XmlElement, out: Collector): string {
  if (!isAbsolute(value))
    out.at(element, `path "${value}" is not absolute (use \${PRODUCT_HOME} or \${MANIFEST_DIR})`);
  return normalize(value);
}

/**
 * Parses and validates one manifest file's text. `file` is its absolute path (for
 * `${MANIFEST_DIR}`). Every problem found is returned with its line and column, not just the first.
 */
export function parseManifest(text: string, file: string): ManifestResult {
  const parsed = parseXml(text);
  if ('problem' in parsed) return { problems: [parsed.problem] };
  const { root } = parsed;
  const out = new Collector();
  if (root.name !== MANIFEST_ROOT) {
    out.at(root, `the root element must be <${MANIFEST_ROOT}>, not <${root.name}>`);
    return { problems: out.problems };
  }
  const version = root.attributes.version;
  if (version === undefined) out.at(root, `<${MANIFEST_ROOT}> needs version="${MANIFEST_VERSION}"`);
  else if (version !== String(MANIFEST_VERSION)) {
    out.at(
      root,
      `manifest version ${version} is not supported (this tresor-backup reads version ${MANIFEST_VERSION})`,
    );
    return { problems: out.problems };
  }
  for (const child of root.children) {
    if (!TOP_LEVEL.has(child.name)) out.at(child, `unknown element <${child.name}>`);
  }
  const product = onlyChild(root, 'product', out, true);
  if (!product) return { problems: out.problems };
  const id = product.attributes.id ?? '';
  if (!PRODUCT_ID.test(id)) {
    out.at(
      product,
      `<product id="${id}"> must be 1-64 characters of a-z, 0-9, ".", "_", "-" (starting with a letter or digit)`,
    );
  }
  for (const child of product.children) {
    if (!PRODUCT_FIELDS.has(child.name)) out.at(child, `unknown element <${child.name}> in <product>`);
  }
  const name = textOf(onlyChild(product, 'name', out, true), out);
  const vendor = textOf(onlyChild(product, 'vendor', out, true), out);
  const productVersion = textOf(onlyChild(product, 'version', out, true), out);
  const homeElement = onlyChild(product, 'home', out, false);
  const homeText = textOf(homeElement, out);
  const vars = new Map([['MANIFEST_DIR', dirname(file)]]);
  let home: string | undefined;
  if (homeElement && homeText) {
    home = absolutePath(expand(homeText, homeElement, vars, out), homeElement, out);
    vars.set('PRODUCT_HOME', home);
  }
  const include: string[] = [];
  const exclude: string[] = [];
  const pre: HookCommand[] = [];
  const post: HookCommand[] = [];
  const hints: ConsistencyHint[] = [];
  for (const child of root.children) {
    const known = ATTRIBUTES[child.name];
    if (known) checkShape(child, known, out);
    if (child.name === 'include') {
      const path = child.attributes.path;
      if (!path) out.at(child, '<include> needs a path="..." attribute');
      else {
        const before = out.problems.length;
        const expanded = expand(path, child, vars, out);
        if (out.problems.length === before) include.push(absolutePath(expanded, child, out));
      }
    } else if (child.name === 'exclude') {
      const pattern = child.attributes.pattern;
      if (!pattern) out.at(child, '<exclude> needs a pattern="..." attribute');
      else exclude.push(expand(pattern, child, vars, out));
    } else if (child.name === 'pre-command' || child.name === 'post-command') {
      const command = hook(child, vars, out);
      if (command) (child.name === 'pre-command' ? pre : post).push(command);
    } else if (child.name === 'consistency') {
      const found = hint(child, out);
      if (found) hints.push(found);
    }
  }
  if (include.length === 0) out.at(root, 'a manifest needs at least one <include path="..."/>');
  if (out.problems.length > 0 || !name || !vendor || !productVersion) return { problems: out.problems };
  return {
    manifest: {
      id,
      name,
      vendor,
      version: productVersion,
      ...(home ? { home } : {}),
      include,
      exclude,
      pre,
      post,
      hints,
    },
  };
}
