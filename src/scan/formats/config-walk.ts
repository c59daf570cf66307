/**
 * Walks a parsed JSON or YAML document: every string holding Jinja code goes to the template
 * checker (chat templates in tokenizer configs, templates under any other key), and every
 * Keras-shaped object goes to the Keras walker.
 */
import type { FindingInput } from '../types.js';
import { walkKerasConfig } from './keras.js';
import { checkTemplate } from './template.js';

const MAX_NODES = 2_000_000;
const JINJA = /\{\{|\{%/;

/**
 * Drops Keras module findings for classes the user trusts (`--allow mypkg.layers.MyLayer`, as
 * the finding names it). A critical one — a module that runs commands or code — stays.
 */
export function withoutTrusted(
  findings: readonly FindingInput[],
  allow: ReadonlySet<string> | undefined,
): FindingInput[] {
  if (allow === undefined) return [...findings];
  return findings.filter(
    (f) =>
      f.rule !== 'RS305' ||
      f.severity === 'critical' ||
      f.callable === undefined ||
      !allow.has(f.callable),
  );
}

/** Template and Keras findings for a parsed document. */
export function walkDocument(root: unknown): FindingInput[] {
  const findings: FindingInput[] = [];
  const checked = new Set<string>();
  // A Jupyter notebook holds Python source, where braces are f-strings, not Jinja.
  const notebook = isNotebook(root);
  const stack: { value: unknown; path: string; inKeras: boolean }[] = [
    { value: root, path: '', inKeras: false },
  ];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_NODES) {
    const item = stack.pop();
    if (item === undefined) break;
    visited++;
    const { value, path } = item;
    if (typeof value === 'string') {
      const template = !notebook || path.includes('chat_template');
      if (template && JINJA.test(value) && !checked.has(value)) {
        checked.add(value);
        for (const finding of checkTemplate(value)) findings.push(at(finding, path));
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    let inKeras = item.inKeras;
    if (!inKeras && isKerasShaped(value)) {
      inKeras = true;
      for (const finding of walkKerasConfig(value)) findings.push(at(finding, path));
    }
    const entries = Array.isArray(value)
      ? (value as unknown[]).map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] ?? ['', undefined];
      stack.push({ value: child, path: path === '' ? key : `${path}.${key}`, inKeras });
    }
  }
  return findings;
}

/** True for a Keras object: a class name with a config or a module. */
export function isKerasShaped(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const object = value as Record<string, unknown>;
  return typeof object.class_name === 'string' && ('config' in object || 'module' in object);
}

function isNotebook(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const object = value as Record<string, unknown>;
  return typeof object.nbformat === 'number' && Array.isArray(object.cells);
}

function at(finding: FindingInput, path: string): FindingInput {
  if (path === '') return finding;
  return { ...finding, message: `${finding.message} (at ${path})` };
}
