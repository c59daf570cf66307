// Fuzz targets for key files: the key-encryption-key file and PEM signing keys. A modified file
// is refused with a coded error or loads as a key of a supported type.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  Kek,
  keyAlgorithm,
  loadKek,
  loadPrivateKey,
  loadPublicKey,
  saveKek,
} from '../../src/core/index.js';
import { pemMutator, TEXT_MUTATORS } from '../../testkit/fuzz-mutators.js';
import type { Rng } from '../../testkit/fuzz-rng.js';
import {
  describeError,
  ED25519_PKCS8,
  GOLDEN_KEYS,
  JSON_MUTATORS,
  parseJson,
  refusedWith,
  seededKey,
  type TargetFactory,
  type Verdict,
} from './target.js';

// PKCS#8 prefix that turns 32 seeded bytes into a P-256 key, so it depends only on the seed.
const P256_PKCS8 = Buffer.from(
  '3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420',
  'hex',
);
const GOLDEN_PEMS = [
  'signing-key.pem',
  'signing-key-pub.pem',
  'ca-priv.pem',
  'signing-key-cert.pem',
];

async function checkKekFile(file: string, ids: ReadonlySet<string>): Promise<Verdict> {
  let kek: Kek;
  try {
    kek = await loadKek(file);
  } catch (error) {
    return refusedWith(error, ['RAMPART_KEY_INVALID']);
  }
  return ids.has(kek.id) ? 'accepted' : { failure: `a modified file loaded as key ${kek.id}` };
}

/** loadKek: a modified key file is refused, never loaded as another key. */
export const kekFile: TargetFactory = async ({ rng, scratch }) => {
  const keks = [Kek.fromBytes(rng.bytes(32)), Kek.fromBytes(rng.bytes(32))];
  const corpus: Buffer[] = [];
  for (const [i, kek] of keks.entries()) {
    await saveKek(path.join(scratch, `seed-${i}.key`), kek);
    corpus.push(readFileSync(path.join(scratch, `seed-${i}.key`)));
  }
  corpus.push(Buffer.from(JSON.stringify(parseJson(corpus[0] ?? Buffer.alloc(0)), null, 2)));
  const ids = new Set(keks.map((kek) => kek.id));
  const file = path.join(scratch, 'fuzz.key');
  return {
    corpus,
    mutators: JSON_MUTATORS,
    check(input) {
      writeFileSync(file, input);
      return checkKekFile(file, ids);
    },
  };
};

async function loadKey(
  load: () => Promise<KeyObject>,
  type: 'private' | 'public',
): Promise<Verdict> {
  let key: KeyObject;
  try {
    key = await load();
  } catch (error) {
    return refusedWith(error, ['RAMPART_KEY_INVALID', 'RAMPART_KEY_UNSUPPORTED']);
  }
  if (key.type !== type) return { failure: `the ${type} key loader returned a ${key.type} key` };
  try {
    keyAlgorithm(key);
  } catch (error) {
    return { failure: `a key of an unsupported type loaded: ${describeError(error)}` };
  }
  return 'accepted';
}

function seedPems(rng: Rng): (string | Buffer)[] {
  const ed = seededKey(ED25519_PKCS8, rng);
  const p256 = seededKey(P256_PKCS8, rng);
  return [
    ...[ed, p256].map((key) => key.export({ type: 'pkcs8', format: 'pem' })),
    ...[ed, p256].map((key) => createPublicKey(key).export({ type: 'spki', format: 'pem' })),
    p256.export({ type: 'sec1', format: 'pem' }),
    ...GOLDEN_PEMS.map((name) => readFileSync(path.join(GOLDEN_KEYS, name))),
  ];
}

/** loadPrivateKey and loadPublicKey: a PEM file loads as the right kind of supported key. */
export const keys: TargetFactory = ({ rng, scratch }) => {
  const file = path.join(scratch, 'fuzz.pem');
  return Promise.resolve({
    corpus: seedPems(rng).map((pem) => Buffer.from(pem)),
    mutators: [...TEXT_MUTATORS, pemMutator, pemMutator, pemMutator, pemMutator],
    async check(input) {
      writeFileSync(file, input);
      const verdicts = [
        await loadKey(() => loadPrivateKey(file), 'private'),
        await loadKey(() => loadPublicKey(file), 'public'),
      ];
      const failure = verdicts.find((v) => typeof v === 'object');
      return failure ?? (verdicts.includes('accepted') ? 'accepted' : 'rejected');
    },
  });
};
