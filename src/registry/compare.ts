/** Differences between a signed manifest and the files found, by file name. */
import type { Resource } from './manifest.js';
import type { ModelFile } from './walk.js';

/** Files that differ from the signature, by name. */
export interface Differences {
  readonly changed: string[];
  readonly added: string[];
  readonly missing: string[];
  /** Files under ignored paths not there at signing time (only with checkIgnored). */
  readonly addedIgnored: string[];
}

type FileDiff = Omit<Differences, 'addedIgnored'>;

/** Compares recorded `{name, size}` with the walked files (a size change means changed). */
export function compareFiles(
  signed: readonly { readonly name: string; readonly size: number }[],
  found: readonly ModelFile[],
): FileDiff {
  const sizes = new Map(signed.map((file) => [file.name, file.size]));
  const seen = new Set<string>();
  const changed: string[] = [];
  const added: string[] = [];
  for (const file of found) {
    seen.add(file.name);
    const size = sizes.get(file.name);
    if (size === undefined) added.push(file.name);
    else if (size !== file.size) changed.push(file.name);
  }
  const missing = signed.map((file) => file.name).filter((name) => !seen.has(name));
  return { changed, added, missing };
}

/** Compares signed resources with computed ones, reporting file names (shard suffixes dropped). */
export function compareResources(
  signed: readonly Resource[],
  computed: readonly Resource[],
): FileDiff {
  const expected = new Map(signed.map((r) => [r.name, r]));
  const seen = new Set<string>();
  const changed = new Set<string>();
  const added = new Set<string>();
  for (const resource of computed) {
    seen.add(resource.name);
    const want = expected.get(resource.name);
    if (want === undefined) added.add(fileOf(resource.name));
    else if (want.digest !== resource.digest || want.algorithm !== resource.algorithm) {
      changed.add(fileOf(resource.name));
    }
  }
  const missing = new Set<string>();
  for (const name of expected.keys()) if (!seen.has(name)) missing.add(fileOf(name));
  // A file whose shards moved (it grew or shrank) shows up on both sides: it changed.
  for (const name of changed) {
    added.delete(name);
    missing.delete(name);
  }
  for (const name of added) {
    if (missing.delete(name)) {
      added.delete(name);
      changed.add(name);
    }
  }
  return { changed: [...changed].sort(), added: [...added].sort(), missing: [...missing].sort() };
}

/** `path:start:end` → `path`; a plain file name is returned unchanged. */
function fileOf(name: string): string {
  const match = /^(.*):\d+:\d+$/.exec(name);
  return match?.[1] ?? name;
}
