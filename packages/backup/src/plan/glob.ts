/**
 * Exclude patterns (docs/BACKUP_PLAN.md, "Exclude patterns"): `*` matches within one path
 * component, `?` one character of it, `**` any number of components. A pattern without `/`
 * matches the last component (`*.tmp`); one starting with `/` matches the whole absolute path;
 * any other pattern matches the end of the path at a component boundary (`cache/*.bin`).
 * A matching directory is excluded with everything below it.
 */
export type PathMatcher = (absolutePath: string) => boolean;

function patternSource(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          source += '(?:.*/)?';
        } else source += '.*';
      } else source += '[^/]*';
    } else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return source;
}

export function compileGlob(pattern: string): PathMatcher {
  const trimmed = pattern.length > 1 ? pattern.replace(/\/+$/, '') : pattern;
  const body = patternSource(trimmed);
  let regex: RegExp;
  if (!trimmed.includes('/')) regex = new RegExp(`(?:^|/)${body}$`);
  else if (trimmed.startsWith('/')) regex = new RegExp(`^${body}$`);
  else regex = new RegExp(`(?:^|/)${body}$`);
  return (path) => regex.test(path);
}

/** A matcher for any of `patterns`; `undefined` when there are none. */
export function compileGlobs(patterns: readonly string[]): PathMatcher | undefined {
  if (patterns.length === 0) return undefined;
  const matchers = patterns.map(compileGlob);
  return (path) => matchers.some((match) => match(path));
}
