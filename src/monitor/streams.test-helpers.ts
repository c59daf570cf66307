// Seeded query streams for the extraction-detection tests: a fixed benign mixture and two
// synthetic extraction attacks (JbDA-style perturbation, uniform random probing).
import { Rng } from '../../testkit/fuzz-rng.js';

/** A query with the class a nearest-centre "model" predicts and its softmax scores. */
export interface Query {
  readonly input: number[];
  readonly predictedClass: number;
  readonly scores: number[];
}

export const DIM = 8;
const CLASSES = 5;

/** A uniform draw in [0, 1). */
export function uniform(rng: Rng): number {
  return rng.next() / 2 ** 32;
}

/** A standard normal draw (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = Math.max(uniform(rng), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform(rng));
}

const centres: number[][] = (() => {
  const rng = new Rng('monitor-centres');
  return Array.from({ length: CLASSES }, () =>
    Array.from({ length: DIM }, () => 4 * gaussian(rng)),
  );
})();

/** The "model": softmax over negative squared distances to the class centres. */
export function classify(input: number[]): Query {
  const logits = centres.map(
    (c) => -c.reduce((s, v, i) => s + (v - (input[i] as number)) ** 2, 0) / 8,
  );
  const top = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - top));
  const total = exp.reduce((a, b) => a + b, 0);
  const scores = exp.map((e) => e / total);
  return { input, predictedClass: scores.indexOf(Math.max(...scores)), scores };
}

/** Natural traffic: samples from the fixed Gaussian mixture. */
export function* benign(seed: string): Generator<Query> {
  const rng = new Rng(seed);
  for (;;) {
    const centre = centres[rng.int(CLASSES)] as number[];
    yield classify(centre.map((v) => v + gaussian(rng)));
  }
}

/** JbDA-like: a few natural seeds, then rounds of small signed perturbations of known points. */
export function* jbda(seed: string, seeds = 10, step = 0.1): Generator<Query> {
  const rng = new Rng(seed);
  const known: number[][] = [];
  const natural = benign(`${seed}/seeds`);
  for (let i = 0; i < seeds; i++) {
    const q = natural.next().value as Query;
    known.push(q.input);
    yield q;
  }
  for (;;) {
    const round = known.length;
    for (let i = 0; i < round; i++) {
      const x = (known[i] as number[]).map((v) => v + step * (rng.chance(0.5) ? 1 : -1));
      known.push(x);
      yield classify(x);
    }
  }
}

/** Tramèr-style line search: bisect between random points of different classes toward the boundary. */
export function* lineSearch(seed: string, steps = 16): Generator<Query> {
  const rng = new Rng(seed);
  const point = () => classify(Array.from({ length: DIM }, () => -12 + 24 * uniform(rng)));
  for (;;) {
    let a = point();
    let b = point();
    yield a;
    yield b;
    if (a.predictedClass === b.predictedClass) continue;
    for (let i = 0; i < steps; i++) {
      const mid = classify(a.input.map((v, k) => (v + (b.input[k] as number)) / 2));
      yield mid;
      if (mid.predictedClass === a.predictedClass) a = mid;
      else b = mid;
    }
  }
}
