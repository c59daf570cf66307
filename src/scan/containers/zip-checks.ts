/**
 * Archive-wide checks over the zip members once they are all known: names that leave the
 * extraction folder (RS201), names used twice (RS203) and members that overlap (RS204).
 */
import type { ScanContext } from '../context.js';
import type { Member } from './zip-members.js';
import { traversal } from './zip-names.js';

/** Reports every name, under any reading, that escapes the folder, and repeated names. */
export function checkNames(members: readonly Member[], context: ScanContext): void {
  const reported = new Set<string>();
  for (const name of members.flatMap((m) => m.names)) {
    const why = traversal(name);
    if (why === undefined || reported.has(name)) continue;
    reported.add(name);
    context.finding({
      rule: 'RS201',
      message: `zip member name "${name}" ${why}`,
      check: 'zip.path-traversal',
      evidence: name,
    });
  }
  const counts = new Map<string, number>();
  for (const m of members) {
    if (m.origin === 'central') counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
  }
  for (const [name, count] of counts) {
    if (count < 2) continue;
    context.finding({
      rule: 'RS203',
      message: `zip member name "${name}" appears ${count} times; readers disagree on which one wins (all are scanned)`,
      check: 'zip.duplicate-name',
      evidence: name,
    });
  }
}

// A member whose header lies inside an earlier member's data is how a non-recursive zip bomb
// multiplies its output; the outermost member covers those bytes.
/** Drops and reports members overlapping earlier ones; `members` are sorted by header offset. */
export function withoutOverlaps(members: readonly Member[], context: ScanContext): Member[] {
  const kept: Member[] = [];
  const overlapping: string[] = [];
  let end = -1;
  for (const m of members) {
    if (m.headerOffset < end) overlapping.push(m.name);
    else kept.push(m);
    end = Math.max(end, m.dataStart + m.compressedSize);
  }
  if (overlapping.length > 0) {
    context.finding({
      rule: 'RS204',
      message: `${overlapping.length} zip member(s) overlap earlier members' data (the shape of a non-recursive zip bomb), e.g. "${overlapping[0] ?? ''}"; they were not scanned separately`,
      check: 'archive.overlap',
    });
  }
  return kept;
}
