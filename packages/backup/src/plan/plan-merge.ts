import type { FoundManifest } from './manifest-dirs.js';
import type { Manifest } from './manifest.js';
import type { ManifestPart, Plan, PlanSource } from './plan-file.js';

export interface MergeResult {
  readonly plan: Plan;
  /** Products new in the plan. */
  readonly added: readonly string[];
  /** Products whose manifest changed (new version, paths, commands …). */
  readonly updated: readonly string[];
  /** Products whose manifest was not found; kept, marked `missing`. */
  readonly missing: readonly string[];
}

function partOf(file: string, manifest: Manifest): ManifestPart {
  return {
    file,
    name: manifest.name,
    vendor: manifest.vendor,
    version: manifest.version,
    ...(manifest.home === undefined ? {} : { home: manifest.home }),
    include: manifest.include,
    exclude: manifest.exclude,
    pre: manifest.pre,
    post: manifest.post,
    hints: manifest.hints,
  };
}

/**
 * Merges the manifests found now into `plan`. Rules (docs/BACKUP_PLAN.md, "Re-running plan"):
 * the `manifest` part of each product is replaced by what its manifest says now; `enabled`,
 * `extraPaths`, `extraExclude` and the user's own entries are never touched; new products are
 * appended, enabled; a product whose manifest is gone stays (marked `missing`, still backed up as
 * before) unless its manifest file is merely invalid right now (`rejectedFiles`), then it stays as it was.
 */
export function mergeManifests(
  plan: Plan,
  found: readonly FoundManifest[],
  rejectedFiles: ReadonlySet<string> = new Set(),
): MergeResult {
  const byId = new Map(found.map((entry) => [entry.manifest.id, entry]));
  const added: string[] = [];
  const updated: string[] = [];
  const missing: string[] = [];
  const sources: PlanSource[] = plan.sources.map((source) => {
    const now = byId.get(source.id);
    byId.delete(source.id);
    if (now) {
      const part = partOf(now.file, now.manifest);
      if (source.manifest === undefined || JSON.stringify(source.manifest) !== JSON.stringify(part)) {
        updated.push(source.id);
      }
      return { ...source, manifest: part };
    }
    if (source.manifest === undefined || rejectedFiles.has(source.manifest.file)) return source;
    missing.push(source.id);
    return source.manifest.missing ? source : { ...source, manifest: { ...source.manifest, missing: true } };
  });
  for (const [id, entry] of byId) {
    added.push(id);
    sources.push({
      id,
      enabled: true,
      extraPaths: [],
      extraExclude: [],
      manifest: partOf(entry.file, entry.manifest),
    });
  }
  return { plan: { ...plan, sources }, added, updated, missing };
}
