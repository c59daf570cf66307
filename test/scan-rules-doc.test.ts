import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RULES, type RuleId } from '../src/scan/index.js';
import { repoRoot } from '../testkit/paths.js';

describe('docs/cli/scan.md', () => {
  it('lists every scanner rule with its name and default severity', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'cli', 'scan.md'), 'utf8');
    for (const [id, rule] of Object.entries(RULES) as [RuleId, (typeof RULES)[RuleId]][]) {
      const row = new RegExp(`\\| \`${id}\` \\| ${rule.name} +\\| ${rule.severity} +\\|`);
      assert.match(doc, row, `docs/cli/scan.md has no rules-table row for ${id}`);
    }
  });
});
