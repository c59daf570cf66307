/**
 * CycloneDX 1.6 ML-BOM (JSON) for one model version: the model with its files, the datasets it
 * was trained on, the training run, the signature, the scan and the approvals. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { digestToBytes, parseDigest } from '../core/index.js';

/** What the registry knows about one model version, already loaded and verified by the caller. */
export interface BomInput {
  readonly model: {
    readonly name: string;
    readonly version: number;
    /** `sha256:<hex>` root digest of the version's manifest. */
    readonly digest: string;
    readonly createdAt: string;
    readonly createdBy: string;
    readonly files: readonly {
      readonly path: string;
      readonly digest: string;
      readonly size: number;
    }[];
    readonly aliases: readonly string[];
    readonly quarantine: { readonly reason: string; readonly at: string } | null;
  };
  readonly signature: {
    readonly predicateType: string;
    readonly bundleDigest: string;
    readonly keyHint: string | null;
  };
  readonly scan: {
    readonly sarifDigest: string;
    readonly findings: number;
    readonly highest: string | null;
  };
  readonly datasets: readonly {
    readonly name: string;
    readonly version: number;
    readonly digest: string;
  }[];
  readonly run: { readonly id: string; readonly provenanceDigest: string | null } | null;
  readonly approvals: readonly {
    readonly requestId: string;
    readonly alias: string;
    readonly principal: string;
    readonly role: string;
    readonly decision: 'approve' | 'reject';
    readonly at: string;
    readonly statementDigest: string;
  }[];
  readonly tool: { readonly name: string; readonly version: string };
  readonly now: Date;
}

type Json = Record<string, unknown>;
type Property = { readonly name: string; readonly value: string };

// A fixed UUID namespace for Rampart BOM serial numbers (RFC 4122 §4.3, name-based, SHA-1).
const SERIAL_NAMESPACE = '5199da8d-2fd0-496f-b539-9437be05302f';

/**
 * Builds the CycloneDX 1.6 ML-BOM of a model version; the same input gives the same document.
 * @throws RAMPART_DIGEST_INVALID when a digest in the input is not `sha256:<64 hex>`.
 */
export function buildModelBom(input: BomInput): Record<string, unknown> {
  const timestamp = input.now.toISOString();
  const modelRef = `model/${input.model.name}@${input.model.version}`;
  const datasets = uniqueDatasets(input.datasets);
  const datasetRefs = datasets.map(datasetRef);
  const files = input.model.files.map((file) => fileComponent(modelRef, file));
  const model: Json = {
    type: 'machine-learning-model',
    'bom-ref': modelRef,
    name: input.model.name,
    version: String(input.model.version),
    hashes: [sha256Hash(input.model.digest)],
    modelCard: {
      modelParameters:
        datasetRefs.length > 0 ? { datasets: datasetRefs.map((ref) => ({ ref })) } : {},
    },
    externalReferences: modelReferences(input),
    properties: modelProperties(input),
    ...(files.length > 0 ? { components: files } : {}),
  };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialNumber(input, timestamp),
    version: 1,
    metadata: {
      timestamp,
      tools: {
        components: [{ type: 'application', name: input.tool.name, version: input.tool.version }],
      },
      // The subject of the BOM, without a bom-ref: the model component below carries the ref
      // (bom-refs must be unique within a BOM), this one only names what the BOM describes.
      component: {
        type: 'machine-learning-model',
        name: input.model.name,
        version: String(input.model.version),
        hashes: [sha256Hash(input.model.digest)],
      },
    },
    components: [model, ...datasets.map(datasetComponent)],
    ...(input.run === null ? {} : { formulation: [formula(input.run, modelRef, datasetRefs)] }),
    dependencies: [
      { ref: modelRef, dependsOn: datasetRefs },
      ...datasetRefs.map((ref) => ({ ref, dependsOn: [] })),
      // The spec asks every component to appear in the graph, with an empty list if it has none.
      ...files.map((file) => ({ ref: file['bom-ref'], dependsOn: [] })),
    ],
  };
}

/**
 * The serial number is a name-based UUID over the model version and the export time. The spec
 * wants every generated BOM to have its own serial number even when nothing changed, so the
 * timestamp is part of the name; deriving it (rather than drawing it at random) keeps the
 * function pure and the output reproducible for the same input.
 */
function serialNumber(input: BomInput, timestamp: string): string {
  const name = `${input.model.name}@${input.model.version} ${input.model.digest} ${timestamp}`;
  const hash = createHash('sha1')
    .update(Buffer.from(SERIAL_NAMESPACE.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function sha256Hash(digest: string): { alg: 'SHA-256'; content: string } {
  return { alg: 'SHA-256', content: parseDigest(digest).slice('sha256:'.length) };
}

/** Names a blob by its digest with an RFC 6920 `ni:` URI, which anyone can check against it. */
function niUri(digest: string): string {
  return `ni:///sha-256;${digestToBytes(parseDigest(digest)).toString('base64url')}`;
}

function digestReference(type: string, digest: string, comment: string): Json {
  return { type, url: niUri(digest), comment, hashes: [sha256Hash(digest)] };
}

function fileComponent(
  modelRef: string,
  file: BomInput['model']['files'][number],
): Json & { 'bom-ref': string } {
  return {
    type: 'file',
    'bom-ref': `${modelRef}/file/${file.path}`,
    name: file.path,
    hashes: [sha256Hash(file.digest)],
    properties: [{ name: 'rampart:size', value: String(file.size) }],
  };
}

type Dataset = BomInput['datasets'][number];

function datasetRef(dataset: Dataset): string {
  return `dataset/${dataset.name}@${dataset.version}`;
}

// The schema wants unique components and dependsOn entries; a dataset linked twice is one input.
function uniqueDatasets(datasets: readonly Dataset[]): Dataset[] {
  const seen = new Map<string, Dataset>();
  for (const dataset of datasets) {
    if (!seen.has(datasetRef(dataset))) seen.set(datasetRef(dataset), dataset);
  }
  return [...seen.values()];
}

function datasetComponent(dataset: Dataset): Json {
  return {
    type: 'data',
    'bom-ref': datasetRef(dataset),
    name: dataset.name,
    version: String(dataset.version),
    hashes: [sha256Hash(dataset.digest)],
    data: [{ type: 'dataset', name: `${dataset.name}@${dataset.version}` }],
    properties: [{ name: 'rampart:digest', value: dataset.digest }],
  };
}

function modelReferences(input: BomInput): Json[] {
  const { signature, scan, run } = input;
  const references = [
    digestReference(
      'digital-signature',
      signature.bundleDigest,
      `OpenSSF model signing bundle (${signature.predicateType})`,
    ),
    digestReference(
      'static-analysis-report',
      scan.sarifDigest,
      'Rampart scan report (SARIF 2.1.0)',
    ),
  ];
  if (run !== null && run.provenanceDigest !== null) {
    references.push(
      digestReference(
        'attestation',
        run.provenanceDigest,
        `SLSA provenance of training run ${run.id}`,
      ),
    );
  }
  for (const approval of input.approvals) {
    references.push(
      digestReference(
        'attestation',
        approval.statementDigest,
        `${approval.decision === 'approve' ? 'Approval' : 'Rejection'} of promotion request ${approval.requestId} to ${approval.alias} by ${approval.principal} (${approval.role})`,
      ),
    );
  }
  return references;
}

function modelProperties(input: BomInput): Property[] {
  const { model, signature, scan, run } = input;
  const properties: Property[] = [
    { name: 'rampart:digest', value: model.digest },
    { name: 'rampart:registered.at', value: model.createdAt },
    { name: 'rampart:registered.by', value: model.createdBy },
    ...model.aliases.map((alias) => ({ name: 'rampart:alias', value: alias })),
    { name: 'rampart:quarantined', value: String(model.quarantine !== null) },
  ];
  if (model.quarantine !== null) {
    properties.push(
      { name: 'rampart:quarantine.reason', value: model.quarantine.reason },
      { name: 'rampart:quarantine.at', value: model.quarantine.at },
    );
  }
  properties.push(
    { name: 'rampart:signature.predicateType', value: signature.predicateType },
    { name: 'rampart:signature.bundle', value: signature.bundleDigest },
  );
  if (signature.keyHint !== null) {
    properties.push({ name: 'rampart:signature.keyHint', value: signature.keyHint });
  }
  properties.push(
    { name: 'rampart:scan.sarif', value: scan.sarifDigest },
    { name: 'rampart:scan.findings', value: String(scan.findings) },
  );
  if (scan.highest !== null) properties.push({ name: 'rampart:scan.highest', value: scan.highest });
  if (run !== null) {
    properties.push({ name: 'rampart:run.id', value: run.id });
    if (run.provenanceDigest !== null) {
      properties.push({ name: 'rampart:run.provenance', value: run.provenanceDigest });
    }
  }
  input.approvals.forEach((approval, index) => {
    const prefix = `rampart:approval.${index + 1}`;
    properties.push(
      { name: `${prefix}.request`, value: approval.requestId },
      { name: `${prefix}.alias`, value: approval.alias },
      { name: `${prefix}.principal`, value: approval.principal },
      { name: `${prefix}.role`, value: approval.role },
      { name: `${prefix}.decision`, value: approval.decision },
      { name: `${prefix}.at`, value: approval.at },
      { name: `${prefix}.statement`, value: approval.statementDigest },
    );
  });
  return properties;
}

/** The training run as a CycloneDX formula: one workflow from the datasets to the model. */
function formula(run: NonNullable<BomInput['run']>, modelRef: string, datasetRefs: string[]): Json {
  const outputs: Json[] = [{ type: 'artifact', resource: { ref: modelRef } }];
  if (run.provenanceDigest !== null) {
    outputs.push({
      type: 'attestation',
      resource: {
        externalReference: digestReference(
          'attestation',
          run.provenanceDigest,
          'SLSA provenance v1 (in-toto Statement v1, DSSE)',
        ),
      },
    });
  }
  return {
    'bom-ref': `formula/run/${run.id}`,
    workflows: [
      {
        'bom-ref': `run/${run.id}`,
        uid: run.id,
        name: `training run ${run.id}`,
        taskTypes: ['build'],
        ...(datasetRefs.length > 0
          ? { inputs: datasetRefs.map((ref) => ({ resource: { ref } })) }
          : {}),
        outputs,
        properties: [{ name: 'rampart:run.id', value: run.id }],
      },
    ],
  };
}
