/**
 * The pickle analyser: a full opcode simulator that never executes anything. It resolves every
 * callable the way the unpickler would, checks it against the allow/deny policy, follows
 * nested loaders, stacked pickles, joblib inline arrays and legacy torch streams.
 */
import type { FormatScanner } from '../context.js';
import { scanStream } from './scan.js';

export { isTorchLegacy, looksLikePickle } from './sniff.js';

/** Scans every pickle in the source from offset 0 (a legacy torch stream is recognised). */
export const scanPickle: FormatScanner = (source, context) => scanStream(source, context, 'pickle');

/** Scans the five pickles of a legacy (non-zip) torch.save file; raw storage bytes follow. */
export const scanTorchLegacy: FormatScanner = (source, context) =>
  scanStream(source, context, 'torch-legacy');
