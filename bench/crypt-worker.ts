// Child process of bench/crypt.ts: runs one encryption or decryption and reports its time and
// peak RSS, so the RSS measured is that of the crypt work alone (not of the file generator).
// Usage: node crypt-worker.js <encrypt|decrypt|encrypt-discard|decrypt-discard> <kek> <src> <dst>
import { createReadStream } from 'node:fs';
import { Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  RampartError,
  decryptFile,
  decryptStream,
  encryptFile,
  encryptStream,
  loadKek,
} from '../src/core/index.js';

/** Streams a file through `transform` and drops the output: crypto and read cost, no writes. */
async function discard(src: string, transform: Transform): Promise<void> {
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(_chunk, _encoding, callback) {
      callback();
    },
    writev(_chunks, callback) {
      callback();
    },
  });
  await pipeline(createReadStream(src, { highWaterMark: 4 * 1024 * 1024 }), transform, sink);
}

const [mode, kekPath, src, dst] = process.argv.slice(2);
if (kekPath === undefined || src === undefined || dst === undefined) {
  throw new RampartError('RAMPART_USAGE', 'crypt-worker: expected <mode> <kek> <src> <dst>');
}
const kek = await loadKek(kekPath);
const start = process.hrtime.bigint();
if (mode === 'encrypt') await encryptFile(src, dst, { keys: kek });
else if (mode === 'decrypt') await decryptFile(src, dst, { keys: kek });
else if (mode === 'encrypt-discard') await discard(src, encryptStream(kek));
else if (mode === 'decrypt-discard') await discard(src, decryptStream(kek));
else throw new RampartError('RAMPART_USAGE', `crypt-worker: unknown mode ${String(mode)}`);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ seconds, maxRssMb })}\n`);
