/**
 * Matches `/patients/:id` style patterns; the params, or undefined when the path does not match.
 * A parameter that is not valid percent-encoding (e.g. `/patients/100%`) is no match either, so
 * the screen says "not found" instead of failing.
 */
export function matchPath(pattern: string, path: string): Readonly<Record<string, string>> | undefined {
  const patternParts = pattern.split('/').filter(Boolean);
  const pathParts = path.split('/').filter(Boolean);
  if (patternParts.length !== pathParts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index] ?? '';
    if (part.startsWith(':')) {
      const decoded = decodeSegment(actual);
      if (decoded === undefined) return undefined;
      params[part.slice(1)] = decoded;
    } else if (part !== actual) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    // URIError: a lone `%` or an invalid UTF-8 sequence.
    return undefined;
  }
}
