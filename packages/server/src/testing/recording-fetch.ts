/** A fetch that records every request body it sends: the zero-knowledge tests inspect them. */
export function recordingFetch(): { fetch: typeof globalThis.fetch; bodies: string[] } {
  const bodies: string[] = [];
  const wrapped: typeof globalThis.fetch = async (input, init) => {
    if (typeof init?.body === 'string') bodies.push(init.body);
    return globalThis.fetch(input, init);
  };
  return { fetch: wrapped, bodies };
}
