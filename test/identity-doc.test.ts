import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PERMISSIONS } from '../src/identity/index.js';
import { repoRoot } from '../testkit/paths.js';

describe('docs/identity.md', () => {
  it('lists every action of the permission table with exactly its roles', () => {
    const doc = readFileSync(`${repoRoot}/docs/identity.md`, 'utf8');
    const rows = new Map<string, string[]>();
    for (const match of doc.matchAll(/^\| `([a-z]+\.[a-z]+)` +\| ([^|]+)\|/gm)) {
      const roles = [...(match[2] ?? '').matchAll(/`([a-z-]+)`/g)].map((m) => m[1] ?? '');
      rows.set(match[1] ?? '', roles);
    }
    for (const [action, roles] of Object.entries(PERMISSIONS)) {
      const documented = rows.get(action);
      assert.ok(documented !== undefined, `docs/identity.md has no row for ${action}`);
      assert.deepEqual([...documented].sort(), [...roles].sort(), `roles of ${action}`);
    }
    assert.deepEqual([...rows.keys()].sort(), Object.keys(PERMISSIONS).sort(), 'no stale rows');
  });
});
