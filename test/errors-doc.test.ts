import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { renderErrorsDoc } from '../scripts/errors-doc.js';
import { repoRoot } from '../testkit/paths.js';

describe('docs/errors.md', () => {
  it('is exactly the rendering of the error catalogue (run `npm run docs:errors`)', () => {
    const committed = readFileSync(path.join(repoRoot, 'docs', 'errors.md'), 'utf8');
    assert.equal(committed, renderErrorsDoc());
  });
});
