/**
 * TensorFlow ops that reach outside the graph when a model is loaded or served: Python calls,
 * file reads and writes, network calls. Checkpoint ops are listed apart: every SavedModel has
 * them in its saver, which only the loader's restore (and an explicit save) runs.
 */
import type { Severity } from '../types.js';

/** Why an op is dangerous, and how much. */
export interface OpRisk {
  readonly severity: Severity;
  readonly why: string;
}

const PYTHON: OpRisk = { severity: 'high', why: 'calls a Python function in the loading process' };
const READS: OpRisk = { severity: 'high', why: 'reads files named by the graph' };
const WRITES: OpRisk = { severity: 'high', why: 'writes files named by the graph' };
const NETWORK: OpRisk = { severity: 'high', why: 'makes network calls' };
const DEBUG: OpRisk = {
  severity: 'medium',
  why: 'can send tensors to files or gRPC endpoints (debug_urls)',
};
const MEMORY_MAP: OpRisk = {
  severity: 'medium',
  why: 'maps a file named by the graph into memory (memmapped graphs use it)',
};
const VOCABULARY: OpRisk = {
  severity: 'low',
  why: 'reads a vocabulary or checkpoint file (normally one shipped in assets/)',
};

function table(risk: OpRisk, ops: string): [string, OpRisk][] {
  return ops.split(/\s+/).map((op) => [op, risk]);
}

/** Ops that are a finding wherever they appear. */
export const DANGEROUS_OPS: ReadonlyMap<string, OpRisk> = new Map([
  ...table(PYTHON, 'PyFunc PyFuncStateless EagerPyFunc'),
  ...table(
    READS,
    `ReadFile MatchingFiles WholeFileReader WholeFileReaderV2 TextLineReader
     TextLineReaderV2 FixedLengthRecordReader FixedLengthRecordReaderV2 TFRecordReader
     TFRecordReaderV2 LMDBReader TextLineDataset TFRecordDataset TFRecordDatasetV2
     FixedLengthRecordDataset FixedLengthRecordDatasetV2 LMDBDataset ExperimentalLMDBDataset
     SqlDataset ExperimentalSqlDataset CSVDataset CSVDatasetV2 ExperimentalCSVDataset LoadDataset
     SnapshotDataset SnapshotDatasetV2 SnapshotDatasetReader`,
  ),
  ...table(
    WRITES,
    `WriteFile DatasetToTFRecord ExperimentalDatasetToTFRecord SaveDataset SaveDatasetV2
     CreateSummaryFileWriter CreateSummaryDbWriter`,
  ),
  ...table(NETWORK, 'Rpc TryRpc'),
  ...table(MEMORY_MAP, 'ImmutableConst'),
  ...table(
    DEBUG,
    'DebugIdentity DebugIdentityV2 DebugIdentityV3 DebugNanCount DebugNumericSummary DebugNumericSummaryV2',
  ),
  ...table(
    VOCABULARY,
    'InitializeTableFromTextFile InitializeTableFromTextFileV2 LoadAndRemapMatrix GenerateVocabRemapping',
  ),
]);

/** Checkpoint ops: a finding only outside the saver named by the MetaGraph's SaverDef. */
export const CHECKPOINT_OPS: ReadonlyMap<string, OpRisk> = new Map(
  table(
    {
      severity: 'medium',
      why: 'reads or writes checkpoint files outside the model’s saver',
    },
    'Save SaveV2 SaveSlices Restore RestoreV2 RestoreSlice MergeV2Checkpoints',
  ),
);

/** PrintV2 writes to a file when its output_stream is `file://…`. */
export const PRINT_TO_FILE: OpRisk = { severity: 'medium', why: 'prints tensors to a file' };
