/** An integer setting from the environment: `fallback` when unset or blank, an error when malformed or below `min`. */
export function integerFromEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min) {
    throw new Error(`${name} must be an integer of at least ${min} (got "${raw}")`);
  }
  return value;
}
