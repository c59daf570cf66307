// Child process of bench/crypt.ts: runs one encryption or decryption and reports its time and
// peak RSS, so the RSS measured is that of the crypt work alone (not of the file generator).
// Usage: node crypt-worker.js <encrypt|decrypt|encrypt-discard> <kek file> <src> <dst>
import { open } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  RampartError,
  decryptFile,
  encryptFile,
  encryptStream,
  loadKek,
  type Kek,
} from '../src/core/index.js';

/** Encrypts a file and drops the output: the crypto and read cost without the write cost. */
async function encryptDiscard(kek: Kek, src: string): Promise<void> {
  const input = await open(src, 'r');
  const sink = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
    writev(_chunks, callback) {
      callback();
    },
  });
  await pipeline(input.createReadStream({ highWaterMark: 1024 * 1024 }), encryptStream(kek), sink);
}

const [mode, kekPath, src, dst] = process.argv.slice(2);
if (kekPath === undefined || src === undefined || dst === undefined) {
  throw new RampartError('RAMPART_USAGE', 'crypt-worker: expected <mode> <kek> <src> <dst>');
}
const kek = await loadKek(kekPath);
const start = process.hrtime.bigint();
if (mode === 'encrypt') await encryptFile(src, dst, { keys: kek });
else if (mode === 'decrypt') await decryptFile(src, dst, { keys: kek });
else if (mode === 'encrypt-discard') await encryptDiscard(kek, src);
else throw new RampartError('RAMPART_USAGE', `crypt-worker: unknown mode ${String(mode)}`);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ seconds, maxRssMb })}\n`);
