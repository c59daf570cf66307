// The peer suite: the labelled test files of picklescan, modelscan and ModelAudit, scored as
// shared/vectors/scanner-peers/README.md says. true → flagged (verdict 1), false → clean
// (verdict 0), null → any verdict as long as the scan does not throw.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { scanPaths, verdict, type ScanReport } from '../src/scan/index.js';
import { sharedRoot } from '../testkit/paths.js';
import { tempDir } from '../testkit/tmp.js';

interface Label {
  readonly malicious: boolean | null;
  readonly why: string;
}

const peers = path.join(sharedRoot, 'vectors', 'scanner-peers');
const labels = JSON.parse(readFileSync(path.join(peers, 'labels.json'), 'utf8')) as Record<
  string,
  Label
>;

/**
 * Labels the scanner is known to get wrong, with the reason. Each one still runs (as a todo),
 * so a fix shows up as a passing todo; remove the entry then. Keep this list short and honest.
 */
const KNOWN_MISSES = new Map<string, string>([]);

interface Score {
  detected: number;
  malicious: number;
  falsePositives: number;
  benignErrors: number;
  benign: number;
  nullHandled: number;
  nulls: number;
}

function describeReport(report: ScanReport): string {
  return [
    ...report.findings.map((f) => `finding ${f.rule} ${f.severity} ${f.members.join(' > ')}`),
    ...report.problems.map((p) => `problem ${p.code}: ${p.message}`),
  ].join('\n');
}

function expectLabel(label: Label, code: 0 | 1 | 2, seen: string): void {
  if (label.malicious === true) assert.equal(code, 1, `expected flagged, got:\n${seen}`);
  if (label.malicious === false) assert.equal(code, 0, `expected clean, got:\n${seen}`);
}

function emptyScore(): Score {
  return {
    detected: 0,
    malicious: 0,
    falsePositives: 0,
    benignErrors: 0,
    benign: 0,
    nullHandled: 0,
    nulls: 0,
  };
}

function tally(total: Score, label: Label, code: 0 | 1 | 2 | undefined): void {
  if (label.malicious === true) {
    total.malicious++;
    if (code === 1) total.detected++;
  } else if (label.malicious === false) {
    total.benign++;
    if (code === 1) total.falsePositives++;
    if (code === 2) total.benignErrors++;
  } else {
    total.nulls++;
    if (code !== undefined) total.nullHandled++;
  }
}

function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)} %`;
}

const tools = [...new Set(Object.keys(labels).map((key) => key.split('/')[0] ?? ''))].sort();

for (const tool of tools) {
  describe(`peer suite: ${tool}`, () => {
    const total = emptyScore();
    for (const [key, label] of Object.entries(labels)) {
      if (!key.startsWith(`${tool}/`)) continue;
      const miss = KNOWN_MISSES.get(key);
      const expectation =
        label.malicious === null ? 'does not crash' : label.malicious ? 'is flagged' : 'is clean';
      it(`${key} ${expectation}`, miss === undefined ? {} : { todo: miss }, async () => {
        let code: 0 | 1 | 2 | undefined;
        try {
          const report = await scanPaths([path.join(peers, key)]);
          code = verdict(report);
          expectLabel(label, code, describeReport(report));
        } finally {
          tally(total, label, code);
        }
      });
    }
    it('reports detection and false-positive rates', (t) => {
      t.diagnostic(
        `${tool}: detected ${total.detected}/${total.malicious} (${percent(total.detected, total.malicious)}), ` +
          `false positives ${total.falsePositives}/${total.benign} (${percent(total.falsePositives, total.benign)}), ` +
          `errors on benign ${total.benignErrors}, null handled ${total.nullHandled}/${total.nulls}`,
      );
    });
  });
}

describe('peer suite: whole-folder inputs of modelaudit', () => {
  // Upstream these were folders; copy the flattened files back under their own names.
  function rebuild(prefix: string): Map<string, string> {
    const folders = new Map<string, string>();
    const base = tempDir('rampart-peers-');
    for (const key of Object.keys(labels)) {
      const name = key.slice('modelaudit/'.length);
      if (!key.startsWith('modelaudit/') || !name.startsWith(prefix)) continue;
      const [folder, file] = name.slice(prefix.length).split('__') as [string, string];
      const target = path.join(base, folder);
      mkdirSync(target, { recursive: true });
      copyFileSync(path.join(peers, key), path.join(target, file));
      folders.set(folder, target);
    }
    return folders;
  }

  it('security_scenarios/mixed_malicious_model/ (config.json + model.pkl) is flagged', async () => {
    const folders = rebuild('scenarios__security_scenarios__');
    const folder = folders.get('mixed_malicious_model');
    assert.ok(folder !== undefined);
    const report = await scanPaths([folder]);
    assert.equal(verdict(report), 1, describeReport(report));
  });

  it('every license_scenarios/*/ folder is clean', async () => {
    const folders = rebuild('scenarios__license_scenarios__');
    assert.equal(folders.size, 4);
    for (const [name, folder] of folders) {
      const report = await scanPaths([folder]);
      assert.equal(verdict(report), 0, `${name}:\n${describeReport(report)}`);
    }
  });
});
