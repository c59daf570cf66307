// Fuzz target for envelope encryption: a modified ciphertext never decrypts, whole or streamed,
// and a stream never emits plaintext that is not an authenticated prefix.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  decryptBytes,
  decryptStream,
  encryptBytes,
  HEADER_SIZE,
  Kek,
  Keyring,
  type DecryptOptions,
  type ErrorCode,
} from '../../src/core/index.js';
import { BYTE_MUTATORS } from '../../testkit/fuzz-mutators.js';
import type { Rng } from '../../testkit/fuzz-rng.js';
import { refusedWith, type TargetFactory, type Verdict } from './target.js';

/** A plaintext, its ciphertext and the options it was encrypted with. */
interface Sample {
  readonly plaintext: Buffer;
  readonly ciphertext: Buffer;
  readonly options: DecryptOptions;
}

const DECRYPT_CODES: readonly ErrorCode[] = [
  'RAMPART_DECRYPT_FAILED',
  'RAMPART_CIPHERTEXT_MALFORMED',
];

// Plaintext size, chunk size and context of each seed ciphertext.
const SHAPES: readonly [number, number, string | undefined][] = [
  [0, 16, undefined],
  [1, 16, 'blob|a'],
  [100, 16, undefined],
  [1000, 64, 'blob|b'],
  [5000, 4096, undefined],
];

// The third sample is encrypted under the old key, which the keyring still holds.
function makeSamples(rng: Rng, kek: Kek, old: Kek): Sample[] {
  return SHAPES.map(([size, chunkSize, context], i): Sample => {
    const plaintext = rng.bytes(size);
    const options = context === undefined ? {} : { context };
    const random = (n: number): Buffer => rng.bytes(n);
    const ciphertext = encryptBytes(i === 2 ? old : kek, plaintext, {
      ...options,
      chunkSize,
      random,
    });
    return { plaintext, ciphertext, options };
  });
}

function decrypted(plaintext: Buffer, input: Buffer, sample: Sample | undefined): Verdict {
  if (sample === undefined || !sample.ciphertext.equals(input)) {
    return { failure: 'a modified ciphertext decrypted' };
  }
  return plaintext.equals(sample.plaintext) ? 'accepted' : { failure: 'wrong plaintext' };
}

function decryptWhole(keys: Keyring, input: Buffer, sample: Sample | undefined): Verdict {
  try {
    return decrypted(decryptBytes(keys, input, sample?.options ?? {}), input, sample);
  } catch (error) {
    return refusedWith(error, DECRYPT_CODES);
  }
}

// Feeds the input in uneven pieces, so chunk boundaries fall in different places.
async function decryptStreamed(
  keys: Keyring,
  input: Buffer,
  sample: Sample | undefined,
): Promise<Verdict> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      out.push(chunk);
      callback();
    },
  });
  const step = 1 + (input.length % 97);
  const pieces = Array.from({ length: Math.ceil(input.length / step) }, (_, i) =>
    input.subarray(i * step, (i + 1) * step),
  );
  try {
    await pipeline(Readable.from(pieces), decryptStream(keys, sample?.options ?? {}), sink);
    return decrypted(Buffer.concat(out), input, sample);
  } catch (error) {
    const emitted = Buffer.concat(out);
    if (
      emitted.length > 0 &&
      sample?.plaintext.subarray(0, emitted.length).equals(emitted) !== true
    ) {
      return { failure: 'the stream emitted plaintext that is not an authenticated prefix' };
    }
    return refusedWith(error, DECRYPT_CODES);
  }
}

function agree(whole: 'accepted' | 'rejected', streamed: Verdict): Verdict {
  return typeof streamed === 'object' || streamed === whole
    ? streamed
    : { failure: `decryptBytes ${whole} it, decryptStream ${streamed} it` };
}

/** decryptBytes and decryptStream: only the unmodified ciphertexts decrypt, and they agree. */
export const encryption: TargetFactory = ({ rng }) => {
  const [kek, old] = [Kek.fromBytes(rng.bytes(32)), Kek.fromBytes(rng.bytes(32))];
  const keys = new Keyring(kek, [old]);
  const samples = makeSamples(rng, kek, old);
  let count = 0;
  return Promise.resolve({
    corpus: samples.map((s) => s.ciphertext),
    mutators: BYTE_MUTATORS,
    async check(input) {
      const header = input.subarray(0, HEADER_SIZE);
      const sample = samples.find((s) => s.ciphertext.subarray(0, HEADER_SIZE).equals(header));
      const verdict = decryptWhole(keys, input, sample);
      // Streaming is slower, so only every eighth input that did not fail is also streamed.
      if (typeof verdict === 'object' || count++ % 8 !== 0) return verdict;
      return agree(verdict, await decryptStreamed(keys, input, sample));
    },
  });
};
