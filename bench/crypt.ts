// `npm run bench -- crypt`: envelope encryption of a 1 GiB file, against openssl and raw GCM.
import { execFile } from 'node:child_process';
import { createCipheriv, createHash, randomBytes, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_CHUNK_SIZE, RampartError, generateKek, saveKek } from '../src/core/index.js';
import { round3, timed, type BenchResult } from './result.js';

const execFileAsync = promisify(execFile);
const GIB = 1024 ** 3;
const FILE_SIZE = GIB;
const BLOCK = 1024 * 1024;
const RUNS = 3;
const ONESHOT_SIZE = 256 * 1024 * 1024;
const WORKER = fileURLToPath(new URL('./crypt-worker.js', import.meta.url));

function progress(message: string): void {
  process.stderr.write(`crypt: ${message}\n`);
}

/** Writes `size` bytes of pseudo-random data with small buffers; returns its SHA-256. */
async function generate(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const block = randomFillSync(Buffer.alloc(BLOCK));
  const handle = await open(file, 'wx');
  try {
    for (let index = 0; index * BLOCK < size; index += 1) {
      // Distinct blocks, so no layer can profit from repeated content.
      block.writeUInt32BE(index, 0);
      hash.update(block);
      await handle.write(block);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file, { highWaterMark: BLOCK })) {
    hash.update(piece as Buffer);
  }
  return hash.digest('hex');
}

/** Best time over RUNS worker runs of one mode, and the largest peak RSS seen. */
async function worker(args: string[]): Promise<{ seconds: number; rssMb: number }> {
  let seconds = Infinity;
  let rssMb = 0;
  for (let i = 0; i < RUNS; i += 1) {
    const { stdout } = await execFileAsync(process.execPath, [WORKER, ...args]);
    const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      seconds: number;
      maxRssMb: number;
    };
    seconds = Math.min(seconds, report.seconds);
    rssMb = Math.max(rssMb, report.maxRssMb);
  }
  return { seconds, rssMb };
}

/** Best time of an external command over RUNS runs. */
async function bestOf(command: string, args: readonly string[]): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < RUNS; i += 1) {
    best = Math.min(best, (await timed(() => execFileAsync(command, [...args]))).seconds);
  }
  return best;
}

/** `openssl enc -aes-256-ctr` (no GCM in `openssl enc`) from the file into /dev/null. */
function opensslCtr(src: string): Promise<number> {
  const key = randomBytes(32).toString('hex');
  const iv = randomBytes(16).toString('hex');
  return bestOf('openssl', [
    'enc',
    '-aes-256-ctr',
    '-K',
    key,
    '-iv',
    iv,
    '-in',
    src,
    '-out',
    '/dev/null',
  ]);
}

/** Raw node:crypto AES-256-GCM: one update over an in-memory buffer, no chunking, no I/O. */
async function nodeOneShot(): Promise<number> {
  const buffer = randomFillSync(Buffer.alloc(ONESHOT_SIZE));
  let best = Infinity;
  for (let i = 0; i < RUNS; i += 1) {
    const { seconds } = await timed(() => {
      const cipher = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
      cipher.update(buffer);
      cipher.final();
    });
    best = Math.min(best, seconds);
  }
  return ONESHOT_SIZE / GIB / best;
}

type Run = { seconds: number; rssMb: number };

interface CryptTimes {
  readonly encrypt: Run;
  readonly decrypt: Run;
  readonly encryptFile: Run;
  readonly decryptFile: Run;
}

/** Encrypts and decrypts `plain` in worker processes and checks the round trip by hash. */
async function measureCrypt(dir: string, plain: string, digest: string): Promise<CryptTimes> {
  const [sealed, opened, kekFile] = [
    path.join(dir, 'sealed'),
    path.join(dir, 'opened'),
    path.join(dir, 'kek.json'),
  ];
  await saveKek(kekFile, generateKek());
  progress('encrypting file to file (best of 3)');
  const encryptFile = await worker(['encrypt', kekFile, plain, sealed]);
  progress('decrypting file to file (best of 3)');
  const decryptFile = await worker(['decrypt', kekFile, sealed, opened]);
  if ((await sha256File(opened)) !== digest) {
    throw new RampartError('RAMPART_INTERNAL', `crypt bench: ${opened} differs from ${plain}`);
  }
  await rm(opened);
  progress('encrypting and decrypting to a discarding sink (best of 3)');
  const encrypt = await worker(['encrypt-discard', kekFile, plain, '-']);
  const decrypt = await worker(['decrypt-discard', kekFile, sealed, '-']);
  await rm(sealed);
  return { encrypt, decrypt, encryptFile, decryptFile };
}

async function measure(dir: string): Promise<BenchResult> {
  const plain = path.join(dir, 'plain');
  const gib = FILE_SIZE / GIB;
  progress(`generating ${gib} GiB in ${dir}`);
  const times = await measureCrypt(dir, plain, await generate(plain, FILE_SIZE));
  progress('baselines: openssl enc -aes-256-ctr to /dev/null, cp, node one-shot GCM (best of 3)');
  const openssl = gib / (await opensslCtr(plain));
  const copy = gib / (await bestOf('cp', [plain, path.join(dir, 'copy')]));
  const oneShot = await nodeOneShot();
  const rate = (run: Run): number => gib / run.seconds;
  const [encrypt, decrypt] = [rate(times.encrypt), rate(times.decrypt)];
  const runs = [times.encrypt, times.decrypt, times.encryptFile, times.decryptFile];
  return {
    bench: 'crypt',
    metrics: {
      encrypt_gib_s: round3(encrypt),
      decrypt_gib_s: round3(decrypt),
      peak_rss_mb: round3(Math.max(...runs.map((r) => r.rssMb))),
      encrypt_file_gib_s: round3(rate(times.encryptFile)),
      decrypt_file_gib_s: round3(rate(times.decryptFile)),
      file_gib: gib,
      chunk_kib: DEFAULT_CHUNK_SIZE / 1024,
    },
    baseline: {
      openssl_aes_256_ctr_gib_s: round3(openssl),
      cp_gib_s: round3(copy),
      node_aes_256_gcm_oneshot_gib_s: round3(oneShot),
      input:
        '1 GiB file in the page cache; encrypt/decrypt stream it to a discarding sink, *_file_* write a fsynced file; openssl enc -aes-256-ctr to /dev/null; cp file to file',
    },
    ratio: {
      encrypt_vs_openssl: round3(encrypt / openssl),
      decrypt_vs_openssl: round3(decrypt / openssl),
      encrypt_vs_node_oneshot: round3(encrypt / oneShot),
      decrypt_vs_node_oneshot: round3(decrypt / oneShot),
      encrypt_file_vs_cp: round3(rate(times.encryptFile) / copy),
      decrypt_file_vs_cp: round3(rate(times.decryptFile) / copy),
    },
  };
}

/** Runs the benchmark in a temporary folder that is removed afterwards, also on failure. */
export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rampart-bench-crypt-'));
  try {
    return await measure(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
