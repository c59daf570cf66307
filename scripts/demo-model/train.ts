/**
 * Trains the demo iris classifier and writes it as ONNX with its evaluation report. `npm start`
 * runs it through `rampart train run`, so the served model's lineage is complete; it is also
 * how fixtures/demo/ was made:
 *
 *   RAMPART_DATA_IRIS=fixtures/demo/iris RAMPART_SEED=7 node dist/scripts/demo-model/train.js --out fixtures/demo
 *
 * Multinomial logistic regression (softmax, L2 penalty 1/(2C)·‖W‖² with C = 1 as sklearn's
 * default) fitted by full-batch gradient descent on a stratified 70/30 split drawn with the
 * seed. Deterministic: the same data and seed give byte-identical files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { classifierToOnnx, type LinearClassifier } from './onnx.js';

const CLASSES = ['setosa', 'versicolor', 'virginica'];
const FEATURES = 4;
const TEST_SHARE = 0.3;
const STEPS = 5_000;
const LEARNING_RATE = 0.05;
const C = 1;

interface Row {
  readonly x: readonly number[];
  readonly y: number;
}

function readIris(file: string): Row[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  if (header?.split(',').length !== FEATURES + 1) throw new Error(`${file}: unexpected header`);
  return lines.map((line, i) => {
    const cells = line.split(',');
    const y = CLASSES.indexOf(cells[FEATURES] ?? '');
    const x = cells.slice(0, FEATURES).map(Number);
    if (y < 0 || x.some((v) => !Number.isFinite(v))) throw new Error(`${file}:${i + 2}: bad row`);
    return { x, y };
  });
}

// mulberry32: a small seeded PRNG, so the split depends only on the seed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function split(rows: readonly Row[], seed: number): { train: Row[]; test: Row[] } {
  const random = prng(seed);
  const train: Row[] = [];
  const test: Row[] = [];
  for (let c = 0; c < CLASSES.length; c++) {
    const members = rows.filter((r) => r.y === c);
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j] as Row, members[i] as Row];
    }
    const held = Math.round(members.length * TEST_SHARE);
    test.push(...members.slice(0, held));
    train.push(...members.slice(held));
  }
  return { train, test };
}

function logits(w: Float64Array, b: Float64Array, x: readonly number[]): number[] {
  return CLASSES.map((_, c) =>
    x.reduce((s, v, f) => s + v * (w[f * CLASSES.length + c] ?? 0), b[c] ?? 0),
  );
}

function softmax(z: readonly number[]): number[] {
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

function fit(rows: readonly Row[]): { w: Float64Array; b: Float64Array } {
  const k = CLASSES.length;
  const w = new Float64Array(FEATURES * k);
  const b = new Float64Array(k);
  for (let step = 0; step < STEPS; step++) {
    const gw = new Float64Array(FEATURES * k);
    const gb = new Float64Array(k);
    for (const row of rows) {
      const p = softmax(logits(w, b, row.x));
      for (let c = 0; c < k; c++) {
        const error = (p[c] ?? 0) - (row.y === c ? 1 : 0);
        gb[c] = (gb[c] ?? 0) + error;
        for (let f = 0; f < FEATURES; f++) {
          gw[f * k + c] = (gw[f * k + c] ?? 0) + error * (row.x[f] ?? 0);
        }
      }
    }
    // The mean loss plus the penalty spread over the rows, as sklearn scales it.
    for (let i = 0; i < w.length; i++) {
      w[i] = (w[i] ?? 0) - LEARNING_RATE * (((gw[i] ?? 0) + (w[i] ?? 0) / C) / rows.length);
    }
    for (let c = 0; c < k; c++) b[c] = (b[c] ?? 0) - (LEARNING_RATE * (gb[c] ?? 0)) / rows.length;
  }
  return { w, b };
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const data = process.env.RAMPART_DATA_IRIS;
  if (values.out === undefined || data === undefined) {
    throw new Error('usage: RAMPART_DATA_IRIS=<folder> train.js --out <folder>');
  }
  const seed = Number(process.env.RAMPART_SEED ?? '7');
  const { train, test } = split(readIris(path.join(data, 'iris.csv')), seed);
  const { w, b } = fit(train);
  const model: LinearClassifier = {
    features: FEATURES,
    classes: CLASSES.length,
    weights: Float32Array.from(w),
    bias: Float32Array.from(b),
  };
  // Evaluate the float32 weights the ONNX file holds, as the server will run them.
  const w32 = Float64Array.from(model.weights);
  const b32 = Float64Array.from(model.bias);
  const correct = test.filter((row) => {
    const z = logits(w32, b32, row.x);
    return z.indexOf(Math.max(...z)) === row.y;
  }).length;
  const onnx = classifierToOnnx(
    model,
    'Iris classifier (multinomial logistic regression); see fixtures/demo/README.md.',
  );
  writeFileSync(path.join(values.out, 'iris-classifier.onnx'), onnx);
  const evaluation = {
    dataset: 'iris (150 rows, 3 classes; fixtures/demo/iris/iris.csv)',
    classes: CLASSES,
    metric: 'accuracy',
    value: Math.round((correct / test.length) * 1e6) / 1e6,
    samples: test.length,
    held_out_split: { test_size: TEST_SHARE, stratified: true },
    seed,
    trainer: 'scripts/demo-model/train.ts (softmax regression, gradient descent)',
  };
  writeFileSync(
    path.join(values.out, 'evaluation.json'),
    `${JSON.stringify(evaluation, null, 2)}\n`,
  );
  process.stdout.write(`${JSON.stringify(evaluation)}\n`);
}

main();
