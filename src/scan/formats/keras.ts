/**
 * Keras model configs (Keras 3 `config.json`, the `model_config` attribute of a Keras 2 `.h5`):
 * every nested layer and object is walked. Lambda layers carry Python code (CVE-2024-3660); a
 * `module` outside Keras is imported at load time even in safe mode (CVE-2025-1550);
 * TorchModuleWrapper unpickles a torch module (CVE-2025-49655).
 */
import type { FindingInput, Severity } from '../types.js';

// Modules a Keras config may name: Keras itself and the Keras libraries built on it.
const ALLOWED_ROOTS = [
  'keras',
  'tf_keras',
  'tensorflow.keras',
  'keras_hub',
  'keras_nlp',
  'keras_cv',
];
// Inside Keras, functions that fetch files or turn safe mode off (CVE-2025-8747 and kin).
const DENIED_IN_KERAS =
  /(^|\.)(file_utils|get_file|enable_unsafe_deserialization|load_model|saving_lib)$/;
// Modules whose functions run commands, code or native libraries.
const DANGEROUS_ROOTS = new Set(
  `os posix nt sys subprocess builtins __builtin__ importlib runpy code codeop pty shutil socket
   ctypes pickle marshal dill cloudpickle joblib multiprocessing webbrowser requests urllib http`.split(
    /\s+/,
  ),
);
const MAX_NODES = 1_000_000;
const EVIDENCE = 200;

/** RS304/RS305 findings for a Keras config, walking every nested object. */
export function walkKerasConfig(config: unknown): FindingInput[] {
  const findings: FindingInput[] = [];
  const lambdaFunctions = new Set<unknown>();
  const stack: unknown[] = [config];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_NODES) {
    const node = stack.pop();
    visited++;
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) stack.push(item);
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const object = node as Record<string, unknown>;
    inspect(object, findings, lambdaFunctions);
    for (const value of Object.values(object)) stack.push(value);
  }
  return findings;
}

function inspect(
  object: Record<string, unknown>,
  findings: FindingInput[],
  lambdaFunctions: Set<unknown>,
): void {
  const className = object.class_name;
  if (className === 'Lambda') {
    const inner = isRecord(object.config) ? object.config : {};
    lambdaFunctions.add(inner.function);
    findings.push({
      rule: 'RS304',
      message: 'a Lambda layer stores Python code that runs when the model is loaded or called',
      ...evidence(lambdaEvidence(inner)),
    });
  } else if (className === '__lambda__' && !lambdaFunctions.has(object)) {
    findings.push({
      rule: 'RS304',
      message: 'a serialised Python lambda is used as a function in the model config',
      ...evidence(lambdaEvidence({ function: object })),
    });
  } else if (className === 'TorchModuleWrapper') {
    findings.push({
      rule: 'RS305',
      message:
        'TorchModuleWrapper unpickles a torch module when the model is loaded (CVE-2025-49655)',
      callable: 'keras.layers.TorchModuleWrapper',
    });
  }
  // A Keras object names its module next to its class; a bare `module` key is data.
  const module = typeof className === 'string' ? object.module : undefined;
  if (typeof module === 'string') {
    const target = typeof object.config === 'string' ? object.config : className;
    const named = typeof target === 'string' ? `${module}.${target}` : module;
    const severity = moduleSeverity(module, named);
    if (severity !== undefined) {
      findings.push({
        rule: 'RS305',
        severity,
        message: `the config makes Keras import ${JSON.stringify(module)}, which is not Keras (CVE-2025-1550)`,
        callable: named,
      });
    }
  }
  const registered = object.registered_name;
  if (typeof module !== 'string' && typeof registered === 'string' && registered.includes('>')) {
    const root = registered.slice(0, registered.indexOf('>'));
    if (!allowedRoot(root)) {
      findings.push({
        rule: 'RS305',
        severity: DANGEROUS_ROOTS.has(root.split('.')[0] ?? root) ? 'critical' : 'medium',
        message: `the config needs the custom object ${JSON.stringify(registered)} registered by code outside Keras`,
        callable: registered,
      });
    }
  }
}

// Undefined when the module is allowed; critical for modules that run commands or code.
function moduleSeverity(module: string, named: string): Severity | undefined {
  if (allowedRoot(module)) return DENIED_IN_KERAS.test(named) ? 'critical' : undefined;
  return DANGEROUS_ROOTS.has(module.split('.')[0] ?? module) ? 'critical' : 'high';
}

function allowedRoot(module: string): boolean {
  return ALLOWED_ROOTS.some((root) => module === root || module.startsWith(`${root}.`));
}

// The code a Lambda would run: Keras 2 stores source or base64 bytecode, Keras 3 an object.
function lambdaEvidence(config: Record<string, unknown>): string | undefined {
  const fn = config.function;
  let text: unknown = fn;
  if (Array.isArray(fn)) text = fn[0];
  else if (isRecord(fn)) text = isRecord(fn.config) ? (fn.config.code ?? fn.config) : fn;
  if (text === undefined) return undefined;
  const shown = typeof text === 'string' ? text : JSON.stringify(text);
  const kind = typeof config.function_type === 'string' ? `${config.function_type}: ` : '';
  const cut = shown.length > EVIDENCE ? `${shown.slice(0, EVIDENCE)}…` : shown;
  return `${kind}${cut}`;
}

function evidence(text: string | undefined): { evidence?: string } {
  return text === undefined ? {} : { evidence: text };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
