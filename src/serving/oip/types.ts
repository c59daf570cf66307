/**
 * Open Inference Protocol v2 (KServe V2) REST shapes, as the gateway and the embedded model
 * server exchange them (shared/reference/serving.md §1).
 */

/** OIP tensor datatypes. */
export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

/** One OIP datatype. */
export type Datatype = (typeof DATATYPES)[number];

/** A tensor as model metadata describes it; -1 in a shape is a variable dimension. */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
}

/** `GET /v2/models/{name}[/versions/{v}]`. */
export interface ModelMetadata {
  readonly name: string;
  readonly versions?: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

/** One input or output tensor in a request or response body. */
export interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: Datatype;
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Row-major, flattened (nested arrays are accepted on input and flattened). */
  readonly data: readonly (number | boolean | string)[];
}

/** `POST /v2/models/{name}[/versions/{v}]/infer` body. */
export interface InferRequest {
  readonly id?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly inputs: readonly Tensor[];
  readonly outputs?: readonly {
    readonly name: string;
    readonly parameters?: Readonly<Record<string, unknown>>;
  }[];
}

/** The infer response body. */
export interface InferResponse {
  readonly model_name: string;
  readonly model_version?: string;
  readonly id?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly outputs: readonly Tensor[];
}

/** Every OIP error body: `{"error": "..."}`. */
export interface OipError {
  readonly error: string;
}
