// The model BOM is CycloneDX 1.6 JSON that validates against the official schema (shipped by
// @cyclonedx/cyclonedx-library), with consistent references and reproducible output.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { sha256 } from '../core/index.js';
import { repoRoot } from '../../testkit/paths.js';
import { buildModelBom, type BomInput } from './bom.js';

const SCHEMAS = path.join(
  repoRoot,
  'node_modules',
  '@cyclonedx',
  'cyclonedx-library',
  'res',
  'schema',
);
const BASE = 'http://cyclonedx.org/schema/';

function loadSchema(file: string): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as Record<
    string,
    unknown
  >;
  // The BOM schema $refs its siblings by file name, so each is registered under that name.
  return { ...schema, $id: BASE + file };
}

// ajv ships no format checks; these follow RFC 3339, RFC 3986/3987 and RFC 6531 closely enough
// to catch a malformed timestamp, an unencoded space or a stray backslash.
const IRI_REFERENCE = /^(?:[^\s"<>\\^`{|}\p{Cc}]|%[0-9A-Fa-f]{2})*$/u;
// strict is off: the official schema uses annotations ajv does not know (`meta:enum`) and
// `required` lists inside oneOf branches that ajv's strict mode rejects.
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('date-time', (value: string) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i.test(value),
);
ajv.addFormat('iri-reference', (value: string) => IRI_REFERENCE.test(value));
ajv.addFormat(
  'uri',
  (value: string) =>
    /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]*$/.test(value) && IRI_REFERENCE.test(value),
);
ajv.addFormat('idn-email', (value: string) => /^[^\s@]+@[^\s@]+$/u.test(value));
ajv.addSchema(loadSchema('spdx.SNAPSHOT.schema.json'));
ajv.addSchema(loadSchema('jsf-0.82.SNAPSHOT.schema.json'));
const validate = ajv.compile(loadSchema('bom-1.6.SNAPSHOT.schema.json'));

function assertValid(bom: unknown): void {
  assert.ok(validate(bom), JSON.stringify(validate.errors, null, 2));
}

const NOW = new Date('2025-06-01T12:00:00.000Z');

function fullInput(overrides: Partial<BomInput> = {}): BomInput {
  return {
    model: {
      name: 'fraud-detector',
      version: 3,
      digest: sha256('manifest'),
      createdAt: '2025-05-30T08:00:00.000Z',
      createdBy: 'alice',
      files: [
        { path: 'model.onnx', digest: sha256('weights'), size: 1024 },
        { path: 'config/labels.json', digest: sha256('labels'), size: 42 },
      ],
      aliases: ['staging', 'production'],
      quarantine: null,
    },
    signature: {
      predicateType: 'https://model_signing/signature/v1.0',
      bundleDigest: sha256('bundle'),
      keyHint: 'registry-2025',
    },
    scan: { sarifDigest: sha256('sarif'), findings: 0, highest: null },
    datasets: [
      { name: 'transactions', version: 7, digest: sha256('transactions') },
      { name: 'chargebacks', version: 2, digest: sha256('chargebacks') },
    ],
    run: { id: 'run-2025-05-30-01', provenanceDigest: sha256('provenance') },
    approvals: [
      {
        requestId: 'req-1',
        alias: 'production',
        principal: 'bob',
        role: 'approver',
        decision: 'approve',
        at: '2025-05-31T09:00:00.000Z',
        statementDigest: sha256('approval-bob'),
      },
      {
        requestId: 'req-1',
        alias: 'production',
        principal: 'carol',
        role: 'security-reviewer',
        decision: 'approve',
        at: '2025-05-31T10:00:00.000Z',
        statementDigest: sha256('approval-carol'),
      },
    ],
    tool: { name: 'rampart', version: '0.1.0' },
    now: NOW,
    ...overrides,
  };
}

const quarantined = fullInput({
  model: {
    ...fullInput().model,
    aliases: [],
    quarantine: { reason: 'pickle payload found on re-scan', at: '2025-06-01T11:00:00.000Z' },
  },
});

const minimal = fullInput({
  model: { ...fullInput().model, files: [], aliases: [] },
  signature: { ...fullInput().signature, keyHint: null },
  scan: { sarifDigest: sha256('sarif'), findings: 2, highest: 'medium' },
  datasets: [],
  run: null,
  approvals: [],
});

/** Every object in the document (depth first), for checks that span the whole BOM. */
function* objects(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) {
    for (const item of value) yield* objects(item);
  } else if (typeof value === 'object' && value !== null) {
    yield value as Record<string, unknown>;
    for (const item of Object.values(value)) yield* objects(item);
  }
}

interface Component {
  type: string;
  'bom-ref': string;
  name: string;
  properties: { name: string; value: string }[];
  components?: Component[];
}

function modelOf(bom: Record<string, unknown>): Component {
  const model = (bom.components as Component[]).find((c) => c.type === 'machine-learning-model');
  assert.ok(model);
  return model;
}

function property(component: Component, name: string): string[] {
  return component.properties.filter((p) => p.name === name).map((p) => p.value);
}

describe('buildModelBom', () => {
  it('validates against the official CycloneDX 1.6 schema, for a full and a quarantined version', () => {
    assertValid(buildModelBom(fullInput()));
    assertValid(buildModelBom(quarantined));
    assertValid(buildModelBom(minimal));
  });

  it('is checked by a validator that rejects a broken BOM', () => {
    const bom = buildModelBom(fullInput());
    const model = modelOf(bom) as unknown as { hashes: { alg: string }[] };
    model.hashes[0] = { ...model.hashes[0], alg: 'SHA256' };
    assert.equal(validate(bom), false);
    assert.equal(validate({ ...buildModelBom(fullInput()), bomFormat: 'SPDX' }), false);
    assert.equal(validate({ ...buildModelBom(fullInput()), serialNumber: 'urn:uuid:nope' }), false);
    // The format checks run too: an external reference URL with a space is not an IRI.
    const spaced = buildModelBom(fullInput());
    const reference = (modelOf(spaced) as unknown as { externalReferences: { url: string }[] })
      .externalReferences[0];
    assert.ok(reference);
    reference.url = 'ni:///sha-256;a b';
    assert.equal(validate(spaced), false);
  });

  it('describes the model with its manifest hash, files, card, datasets and lineage', () => {
    const bom = buildModelBom(fullInput());
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.version, 1);
    const model = modelOf(bom) as Component & {
      version: string;
      hashes: unknown;
      modelCard: unknown;
    };
    assert.equal(model['bom-ref'], 'model/fraud-detector@3');
    assert.equal(model.version, '3');
    assert.deepEqual(model.hashes, [{ alg: 'SHA-256', content: sha256('manifest').slice(7) }]);
    assert.deepEqual(
      model.components?.map((file) => [file.type, file.name]),
      [
        ['file', 'model.onnx'],
        ['file', 'config/labels.json'],
      ],
    );
    assert.deepEqual(model.modelCard, {
      modelParameters: {
        datasets: [{ ref: 'dataset/transactions@7' }, { ref: 'dataset/chargebacks@2' }],
      },
    });
    const data = (bom.components as Component[]).filter((c) => c.type === 'data');
    assert.deepEqual(
      data.map((c) => c['bom-ref']),
      ['dataset/transactions@7', 'dataset/chargebacks@2'],
    );
    assert.deepEqual(property(model, 'rampart:alias'), ['staging', 'production']);
    assert.deepEqual(property(model, 'rampart:quarantined'), ['false']);
    assert.deepEqual(property(model, 'rampart:scan.findings'), ['0']);
    assert.deepEqual(property(model, 'rampart:run.id'), ['run-2025-05-30-01']);
    assert.deepEqual(property(model, 'rampart:approval.2.principal'), ['carol']);
    assert.deepEqual(property(model, 'rampart:approval.1.statement'), [sha256('approval-bob')]);
    const metadata = bom.metadata as { timestamp: string; component: { name: string } };
    assert.equal(metadata.timestamp, NOW.toISOString());
    assert.equal(metadata.component.name, 'fraud-detector');
  });

  it('names the signature, scan, provenance and approvals by digest', () => {
    const model = modelOf(buildModelBom(fullInput())) as unknown as {
      externalReferences: { type: string; url: string; hashes: { content: string }[] }[];
    };
    const refs = model.externalReferences.map((r) => [r.type, r.hashes[0]?.content]);
    assert.deepEqual(refs, [
      ['digital-signature', sha256('bundle').slice(7)],
      ['static-analysis-report', sha256('sarif').slice(7)],
      ['attestation', sha256('provenance').slice(7)],
      ['attestation', sha256('approval-bob').slice(7)],
      ['attestation', sha256('approval-carol').slice(7)],
    ]);
    const bundle = model.externalReferences[0];
    assert.ok(bundle);
    const bytes = Buffer.from(bundle.url.replace('ni:///sha-256;', ''), 'base64url');
    assert.equal(bytes.toString('hex'), sha256('bundle').slice(7));
  });

  it('records the training run as a formulation workflow from the datasets to the model', () => {
    const bom = buildModelBom(fullInput());
    const formulation = bom.formulation as { workflows: Record<string, unknown>[] }[];
    const workflow = formulation[0]?.workflows[0];
    assert.ok(workflow);
    assert.equal(workflow.uid, 'run-2025-05-30-01');
    assert.deepEqual(workflow.inputs, [
      { resource: { ref: 'dataset/transactions@7' } },
      { resource: { ref: 'dataset/chargebacks@2' } },
    ]);
    assert.equal(buildModelBom(minimal).formulation, undefined);
  });

  it('marks a quarantined version and lists no aliases for it', () => {
    const model = modelOf(buildModelBom(quarantined));
    assert.deepEqual(property(model, 'rampart:quarantined'), ['true']);
    assert.deepEqual(property(model, 'rampart:quarantine.reason'), [
      'pickle payload found on re-scan',
    ]);
    assert.deepEqual(property(model, 'rampart:alias'), []);
  });

  it('writes every hash as 64 lowercase hex digits of SHA-256', () => {
    let count = 0;
    for (const object of objects(buildModelBom(fullInput()))) {
      if (!('hashes' in object)) continue;
      for (const hash of object.hashes as { alg: string; content: string }[]) {
        assert.equal(hash.alg, 'SHA-256');
        assert.match(hash.content, /^[0-9a-f]{64}$/);
        count += 1;
      }
    }
    // The model twice (metadata and components), 2 files, 2 datasets, 5 external references
    // on the model and the provenance output of the formulation.
    assert.equal(count, 12);
  });

  it('declares every bom-ref once and refers only to declared ones', () => {
    for (const input of [fullInput(), quarantined, minimal]) {
      const bom = buildModelBom(input);
      const declared = [...objects(bom)]
        .map((o) => o['bom-ref'])
        .filter((ref): ref is string => typeof ref === 'string');
      assert.equal(new Set(declared).size, declared.length, 'bom-refs are unique');
      const refs = new Set(declared);
      const dependencies = bom.dependencies as { ref: string; dependsOn: string[] }[];
      for (const dependency of dependencies) {
        assert.ok(refs.has(dependency.ref), dependency.ref);
        for (const target of dependency.dependsOn) assert.ok(refs.has(target), target);
      }
      for (const object of objects(bom)) {
        if (typeof object.ref === 'string') assert.ok(refs.has(object.ref), object.ref);
      }
    }
    const dependencies = buildModelBom(fullInput()).dependencies as {
      ref: string;
      dependsOn: string[];
    }[];
    assert.deepEqual(dependencies[0], {
      ref: 'model/fraud-detector@3',
      dependsOn: ['dataset/transactions@7', 'dataset/chargebacks@2'],
    });
  });

  it('lists a dataset linked twice once', () => {
    const dataset = { name: 'transactions', version: 7, digest: sha256('transactions') };
    const bom = buildModelBom(fullInput({ datasets: [dataset, dataset] }));
    assertValid(bom);
    assert.equal((bom.components as Component[]).filter((c) => c.type === 'data').length, 1);
  });

  it('gives the same document for the same input and a new serial number for a new export', () => {
    const first = buildModelBom(fullInput());
    assert.deepEqual(buildModelBom(fullInput()), first);
    assert.match(
      String(first.serialNumber),
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const later = buildModelBom(fullInput({ now: new Date('2025-06-02T12:00:00.000Z') }));
    assert.notEqual(later.serialNumber, first.serialNumber);
    assert.deepEqual(
      { ...later, serialNumber: 0, metadata: 0 },
      { ...first, serialNumber: 0, metadata: 0 },
    );
  });

  it('refuses a malformed digest', () => {
    const input = fullInput({ scan: { sarifDigest: 'sha256:ABC', findings: 0, highest: null } });
    assert.throws(() => buildModelBom(input), { code: 'RAMPART_DIGEST_INVALID' });
  });

  it('stays schema-valid for any names, paths, principals and reasons', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(text, text, text, text, fc.nat(), (name, file, principal, reason, version) => {
        const base = fullInput();
        const bom = buildModelBom({
          ...base,
          model: {
            ...base.model,
            name,
            version,
            files: [{ path: file, digest: sha256(file), size: 1 }],
            quarantine: { reason, at: base.model.createdAt },
          },
          datasets: [{ name, version, digest: sha256(name) }],
          run: { id: name, provenanceDigest: null },
          approvals: [{ ...base.approvals[0]!, principal }],
        });
        assertValid(bom);
      }),
      { numRuns: 100 },
    );
  });
});
