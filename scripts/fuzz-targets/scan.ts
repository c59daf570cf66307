// Fuzz target for the artefact scanner: mutated model files (every fixture format) must always
// produce a report — never an exception, a hang or runaway memory — under any file name.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BufferSource, scanSource } from '../../src/scan/index.js';
import { BYTE_MUTATORS } from '../../testkit/fuzz-mutators.js';
import { repoRoot } from '../../testkit/paths.js';
import { describeError, type TargetFactory, type Verdict } from './target.js';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'scan');
// Protobuf formats are told apart partly by name, so every input is scanned under each.
const NAMES = ['model.bin', 'model.onnx', 'saved_model.pb', 'config.json', 'template.jinja'];
const MAX_FIXTURE = 64 * 1024;

function fixtureFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return fixtureFiles(full);
    return entry.isFile() && statSync(full).size <= MAX_FIXTURE ? [full] : [];
  });
}

async function checkScan(input: Buffer): Promise<Verdict> {
  for (const name of NAMES) {
    try {
      // An HDF5 deadline below the harness's hang threshold: a file the HDF5 library loops on
      // must be cut off and reported, not hang the scan.
      await scanSource(new BufferSource(input), name, { limits: { hdf5TimeoutMs: 1000 } });
    } catch (error) {
      return { failure: `scanning as ${name} threw ${describeError(error)}` };
    }
  }
  return 'accepted';
}

/** scanSource: every input yields a report. */
export const scan: TargetFactory = () =>
  Promise.resolve({
    corpus: fixtureFiles(FIXTURES)
      .sort()
      .map((file) => readFileSync(file)),
    mutators: BYTE_MUTATORS,
    maxInput: 256 * 1024,
    check: checkScan,
  });
