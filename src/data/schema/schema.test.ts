// Schema documents, validation of profiles against them, inference, and exact uniqueness.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isRampartError } from '../../core/index.js';
import { ProfileBuilder, type DatasetProfile } from '../profile/index.js';
import { batch, column, normal, prng } from '../profile/test-batches.js';
import type { ColumnBatch } from '../table/batch.js';
import {
  type ColumnRule,
  inferSchema,
  parseSchema,
  parseSchemaText,
  uniquenessChecker,
  validateProfile,
} from './index.js';

function profileOf(...batches: ColumnBatch[]): DatasetProfile {
  const builder = new ProfileBuilder();
  for (const b of batches) builder.add(b);
  return builder.finish();
}

const people = batch({
  id: column('integer', [1, 2, 3, 4, 5, 6]),
  age: column('number', [31, 45, null, 120, 28, -1]),
  country: column('string', ['fr', 'de', 'fr', 'xx', null, 'de']),
  active: column('boolean', [true, false, true, true, { invalid: 'maybe' }, false]),
});

test('a YAML schema is read, normalised and strict about unknown keys', () => {
  const schema = parseSchemaText(`
format: rampart.schema/v1
columns:
  age: { type: number, min: 0, max: 110, nullable: false }
  country: { type: string, allowed: [fr, de], max_missing: 0.1, mostly: 0.9 }
dataset: { min_rows: 10 }
`);
  assert.deepEqual(schema.columns.age, {
    type: 'number',
    required: true,
    unique: false,
    mostly: 1,
    min: 0,
    max: 110,
    max_missing: 0,
  });
  assert.equal(schema.dataset.allow_extra_columns, false);
  assert.throws(
    () =>
      parseSchema({
        format: 'rampart.schema/v1',
        columns: { age: { type: 'number', maximum: 3 } },
      }),
    (e: unknown) =>
      isRampartError(e, 'RAMPART_SCHEMA_INVALID') &&
      /columns\.age: Unrecognized key.*maximum/.test(e.message),
  );
  // Every problem is listed with its path, not only the first.
  assert.throws(
    () =>
      parseSchema({
        format: 'rampart.schema/v1',
        columns: {
          a: { type: 'string', min: 1 },
          b: { type: 'number', allowed: ['x'], nullable: false, max_missing: 0.2 },
          c: { type: 'boolean', unique: true },
        },
        dataset: { min_rows: 5, max_rows: 2 },
      }),
    (e: unknown) =>
      isRampartError(e, 'RAMPART_SCHEMA_INVALID') &&
      [
        'columns.a.min',
        'columns.b.allowed',
        'columns.b.max_missing',
        'columns.c.unique',
        'dataset.min_rows',
      ].every((p) => e.message.includes(p)),
  );
  assert.throws(
    () => parseSchemaText('format: [unclosed'),
    (e: unknown) => isRampartError(e, 'RAMPART_SCHEMA_INVALID'),
  );
  assert.throws(() => parseSchemaText('{"format": "rampart.schema/v2", "columns": {}}'), /format/);
});

test('validation collects every failure with its path, expectation and observation', () => {
  const schema = parseSchema({
    format: 'rampart.schema/v1',
    columns: {
      id: { type: 'integer', unique: true },
      age: { type: 'number', min: 0, max: 110, nullable: false },
      country: { type: 'string', allowed: ['fr', 'de'] },
      active: { type: 'boolean' },
      email: { type: 'string' },
    },
    dataset: { min_rows: 10 },
  });
  const report = validateProfile(profileOf(people), schema);
  assert.equal(report.passed, false);
  const byPath = new Map(report.failures.map((f) => [f.path, f]));
  assert.deepEqual([...byPath.keys()].sort(), [
    'columns.active.type',
    'columns.age.max',
    'columns.age.max_missing',
    'columns.age.min',
    'columns.country.allowed',
    'columns.email.required',
    'dataset.min_rows',
  ]);
  assert.deepEqual(byPath.get('columns.age.max')?.observed, 120);
  assert.equal(byPath.get('columns.age.max')?.approximate, false);
  assert.deepEqual(byPath.get('columns.country.allowed')?.observed, ['xx']);
  assert.equal(byPath.get('columns.country.allowed')?.approximate, false);
  assert.match(byPath.get('columns.active.type')?.message ?? '', /1 values do not parse/);
});

test('mostly tolerates a fraction of offenders; extra columns fail unless allowed', () => {
  const profile = profileOf(people);
  const loose = parseSchema({
    format: 'rampart.schema/v1',
    columns: {
      id: { type: 'number' },
      age: { type: 'number', min: 0, max: 110, mostly: 0.6 },
      country: { type: 'string', allowed: ['fr', 'de'], mostly: 0.8 },
      active: { type: 'boolean', mostly: 0.8 },
    },
  });
  assert.deepEqual(validateProfile(profile, loose), { passed: true, failures: [] });
  const strictColumns = parseSchema({
    format: 'rampart.schema/v1',
    columns: { id: { type: 'integer' } },
  });
  const failure = validateProfile(profile, strictColumns).failures[0];
  assert.equal(failure?.path, 'dataset.allow_extra_columns');
  assert.deepEqual(failure.observed, ['age', 'country', 'active']);
  const typed = parseSchema({
    format: 'rampart.schema/v1',
    columns: { age: { type: 'integer' } },
    dataset: { allow_extra_columns: true },
  });
  assert.equal(validateProfile(profile, typed).failures[0]?.path, 'columns.age.type');
});

test('an inferred schema passes its own reference and catches a shifted batch', () => {
  const random = prng(42);
  const rows = 2000;
  const reference = profileOf(
    batch({
      id: column(
        'integer',
        Array.from({ length: rows }, (_, i) => i),
      ),
      score: column(
        'number',
        Array.from({ length: rows }, () => (random() < 0.03 ? null : 50 + normal(random) * 5)),
      ),
      grade: column(
        'string',
        Array.from({ length: rows }, () => ['a', 'b', 'c'][Math.floor(random() * 3)] ?? 'a'),
      ),
      name: column(
        'string',
        Array.from({ length: rows }, (_, i) => `user${i}`),
      ),
      flag: column(
        'boolean',
        Array.from({ length: rows }, () => random() < 0.5),
      ),
    }),
  );
  const schema = inferSchema(reference);
  assert.deepEqual(validateProfile(reference, schema), { passed: true, failures: [] });
  const rule = (name: string): ColumnRule => {
    const found = schema.columns[name];
    assert.ok(found, name);
    return found;
  };
  const [id, score, grade, name, flag] = ['id', 'score', 'grade', 'name', 'flag'].map(rule) as [
    ColumnRule,
    ColumnRule,
    ColumnRule,
    ColumnRule,
    ColumnRule,
  ];
  assert.equal(id.unique, true);
  assert.equal(name.unique, true);
  assert.equal(grade.unique, false);
  assert.deepEqual(grade.allowed, ['a', 'b', 'c']);
  assert.equal(name.allowed, undefined, 'more than 100 values: no enumerated domain');
  assert.deepEqual(flag.allowed, [false, true]);
  assert.equal(id.min, 0, 'never negative, so the widened range stops at 0');
  assert.equal(id.max, Math.ceil(1999 + 199.9));
  assert.ok(
    score.max_missing !== undefined && score.max_missing > 0.02 && score.max_missing < 0.06,
  );
  assert.equal(grade.max_missing, 0);
  // The schema round-trips through its own parser.
  assert.deepEqual(parseSchemaText(JSON.stringify(schema)), schema);

  const shifted = profileOf(
    batch({
      id: column('integer', [1, 2, 3]),
      score: column('number', [200, 50, 51]),
      grade: column('string', ['a', 'z', 'b']),
      name: column('string', ['u', 'v', 'u']),
      flag: column('boolean', [true, false, true]),
    }),
  );
  const paths = validateProfile(shifted, schema).failures.map((f) => f.path);
  assert.deepEqual(paths, ['columns.score.max', 'columns.grade.allowed', 'columns.name.unique']);
});

test('the uniqueness checker finds duplicates across batches with example rows', () => {
  const schema = parseSchema({
    format: 'rampart.schema/v1',
    columns: {
      id: { type: 'integer', unique: true },
      key: { type: 'string', unique: true },
      other: { type: 'string' },
    },
  });
  const checker = uniquenessChecker(schema);
  checker.add(
    batch({
      id: column('integer', [1, 2, null, 3]),
      key: column('string', ['a', 'b', null, 'c']),
      other: column('string', ['x', 'x', 'x', 'x']),
    }),
  );
  checker.add(
    batch(
      {
        id: column('integer', [4, 2, -0, 0]),
        key: column('string', ['d', 'e', null, 'a']),
        other: column('string', ['x', 'x', 'x', 'x']),
      },
      4,
    ),
  );
  assert.deepEqual(checker.finish(), [
    {
      column: 'id',
      values: 7,
      duplicates: 2,
      examples: [
        { row: 5, firstRow: 1 },
        { row: 7, firstRow: 6 },
      ],
    },
    { column: 'key', values: 6, duplicates: 1, examples: [{ row: 7, firstRow: 0 }] },
  ]);
  const many = Array.from({ length: 100_000 }, (_, i) => i);
  const big = uniquenessChecker(schema);
  big.add(
    batch({
      id: column('integer', many),
      key: column(
        'string',
        many.map((i) => `k${i}`),
      ),
    }),
  );
  assert.deepEqual(
    big.finish().map((r) => [r.values, r.duplicates]),
    [
      [100_000, 0],
      [100_000, 0],
    ],
  );
  const capped = uniquenessChecker(schema, 10);
  assert.throws(
    () => {
      capped.add(batch({ id: column('integer', many.slice(0, 20)) }));
    },
    (e: unknown) =>
      isRampartError(e, 'RAMPART_LIMIT_EXCEEDED') && /cap of 10 values/.test(e.message),
  );
});
