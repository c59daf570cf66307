import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isRampartError } from '../../core/index.js';
import { sharedRoot } from '../../../testkit/paths.js';
import { EMPTY_ROOT, leafHash } from './hash.js';
import { MemoryTree } from './memory-tree.js';
import { rootAt } from './proofs.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

const VECTORS = path.join(sharedRoot, 'vectors', 'merkle');
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657'];
LEAVES.push('606162636465666768696a6b6c6d6e6f');
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string | null;
  leafHash: string | null;
  proof: string[] | null;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string | null;
  root2: string | null;
  proof: string[] | null;
  wantErr: boolean;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function b64(text: string | null): Buffer {
  return Buffer.from(text ?? '', 'base64');
}

function outcome(run: () => void): boolean {
  try {
    run();
    return false;
  } catch (error) {
    assert.ok(
      isRampartError(error, 'RAMPART_AUDIT_PROOF_INVALID') ||
        isRampartError(error, 'RAMPART_AUDIT_RANGE_INVALID'),
      `unexpected error ${String(error)}`,
    );
    return true;
  }
}

describe('merkle golden vectors (transparency-dev/merkle)', () => {
  it('computes the reference roots for sizes 0 to 8', async () => {
    const tree = new MemoryTree();
    assert.equal(EMPTY_ROOT.toString('hex'), ROOTS[0]);
    for (const leaf of LEAVES) tree.append(leafHash(Buffer.from(leaf, 'hex')));
    for (let size = 0; size <= 8; size++) {
      assert.equal((await rootAt(tree, size)).toString('hex'), ROOTS[size], `size ${size}`);
    }
    assert.equal(tree.root().toString('hex'), ROOTS[8]);
  });

  const inclusion = jsonFiles(path.join(VECTORS, 'testdata', 'inclusion'));
  it(`verifies every inclusion vector as expected (${inclusion.length} files)`, () => {
    assert.ok(inclusion.length > 50);
    for (const file of inclusion) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionVector;
      const failed = outcome(() => {
        verifyInclusion(
          b64(v.leafHash),
          v.leafIdx,
          v.treeSize,
          (v.proof ?? []).map(b64),
          b64(v.root),
        );
      });
      assert.equal(failed, v.wantErr, path.relative(VECTORS, file));
    }
  });

  const consistency = jsonFiles(path.join(VECTORS, 'testdata', 'consistency'));
  it(`verifies every consistency vector as expected (${consistency.length} files)`, () => {
    assert.ok(consistency.length > 50);
    for (const file of consistency) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector;
      const failed = outcome(() => {
        verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64));
      });
      assert.equal(failed, v.wantErr, path.relative(VECTORS, file));
    }
  });
});
