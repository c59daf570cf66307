/**
 * Text formats that can carry code: JSON and YAML configs (chat templates, Keras configs, PyYAML
 * object tags) and standalone Jinja templates. Text that merely looks like JSON or YAML but does
 * not parse is read as plain text, so a benign file never turns into an error.
 */
import { parseAllDocuments, visit, type Document } from 'yaml';
import type { FormatScanner, ScanContext } from '../context.js';
import type { ByteSource } from '../source.js';
import { walkDocument, withoutTrusted } from './config-walk.js';
import { readAll } from './cursor.js';
import { checkTemplate } from './template.js';

const MAX_ALIASES = 50;
// PyYAML constructors that import or call Python objects (yaml.unsafe_load, old FullLoader).
const PYTHON_TAG =
  /^tag:yaml\.org,2002:python\/(object|object\/apply|object\/new|name|module)(:|$)/;
const JSON_STRING = /"(?:[^"\\\n]|\\.)*"/g;
const JINJA = /\{\{|\{%/;
const CODE_OR_DOCUMENT = /\.(py|pyi|md|rst|txt|html?|js|ts|c|cc|cpp|h|hpp|java|go|rs|sh|tex)$/;

/** What kind of text the head is, or undefined when it is not UTF-8 text. */
export function sniffText(
  head: Uint8Array,
  name: string,
): 'json' | 'yaml' | 'template' | 'text' | undefined {
  const text = decodeHead(head);
  if (text === undefined) return undefined;
  const start = text.trimStart();
  const base = (name.split(/[\\/]/).at(-1) ?? name).toLowerCase();
  if (/^\{[{%#]/.test(start)) return 'template';
  if (start.startsWith('{') || start.startsWith('[')) return 'json';
  if (/\.ya?ml$/.test(base) || /^(%YAML|---)/.test(start)) return 'yaml';
  if (/\.(j2|jinja2?|template|tmpl)$/.test(base)) return 'template';
  // Source code and documents use braces for their own syntax; no loader renders them.
  if (JINJA.test(text) && !CODE_OR_DOCUMENT.test(base)) return 'template';
  return 'text';
}

/** JSON: chat templates, Jinja strings and Keras configs anywhere in the document. */
export const scanJson: FormatScanner = async (source, context) => {
  const text = await readText(source, context, 'json');
  if (text === undefined) return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    scanLooseStrings(text, context);
    return;
  }
  report(context, walkDocument(value));
};

/** YAML: the same walk as JSON, plus PyYAML tags that build Python objects (RS310). */
export const scanYaml: FormatScanner = async (source, context) => {
  const text = await readText(source, context, 'yaml');
  if (text === undefined) return;
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(text, { customTags: [], prettyErrors: false, uniqueKeys: false });
  } catch {
    documents = [];
  }
  const parsed = Array.isArray(documents) ? documents : [];
  // YAML that does not parse is read as a template: its Jinja blocks are still code.
  if (parsed.length === 0 || parsed.some((document) => document.errors.length > 0)) {
    report(context, checkTemplate(text));
  }
  for (const document of parsed) {
    reportPythonTags(document, text, context);
    if (document.errors.length > 0) continue;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (/alias/i.test(text)) {
        context.problem(
          'yaml-alias-limit',
          `more than ${MAX_ALIASES} alias expansions (a YAML bomb)`,
        );
      } else {
        context.problem('yaml-unreadable', `the YAML could not be converted: ${text}`);
      }
      continue;
    }
    report(context, walkDocument(value));
  }
};

function reportPythonTags(document: Document, text: string, context: ScanContext): void {
  visit(document, {
    Node(_key, node) {
      const tag = node.tag;
      if (tag === undefined || !PYTHON_TAG.test(tag)) return;
      context.finding({
        rule: 'RS310',
        message: 'a PyYAML python object tag imports or calls Python code when loaded unsafely',
        evidence: `!!${tag.slice('tag:yaml.org,2002:'.length)}`,
        ...(node.range == null ? {} : { offset: Buffer.byteLength(text.slice(0, node.range[0])) }),
      });
    },
  });
}

/** A standalone Jinja template (.j2, .jinja, .template). */
export const scanTemplate: FormatScanner = async (source, context) => {
  const text = await readText(source, context, 'template');
  if (text !== undefined) report(context, checkTemplate(text));
};

async function readText(
  source: ByteSource,
  context: ScanContext,
  kind: string,
): Promise<string | undefined> {
  const bytes = await readAll(source, context.limits.maxHeaderBytes);
  if (bytes === undefined) {
    context.problem(
      `${kind}-too-large`,
      `the ${source.size}-byte ${kind} file is over the ${context.limits.maxHeaderBytes}-byte scan limit`,
    );
    return undefined;
  }
  return new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes);
}

// Text that does not parse: still check every quoted string that holds Jinja code.
function scanLooseStrings(text: string, context: ScanContext): void {
  const seen = new Set<string>();
  for (const match of text.matchAll(JSON_STRING)) {
    const literal = match[0];
    if (!JINJA.test(literal) || seen.has(literal)) continue;
    seen.add(literal);
    let value: string = literal.slice(1, -1);
    try {
      value = JSON.parse(literal) as string;
    } catch {
      // Not a JSON string literal; its raw text is checked instead.
    }
    report(context, checkTemplate(value));
  }
}

function report(context: ScanContext, findings: ReturnType<typeof checkTemplate>): void {
  for (const finding of withoutTrusted(findings, context.allowGlobals)) context.finding(finding);
}

// UTF-8 text without control bytes; the head may end in the middle of a character.
function decodeHead(head: Uint8Array): string | undefined {
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) {
      return undefined;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(withoutPartialCharacter(head));
  } catch {
    return undefined;
  }
}

function withoutPartialCharacter(head: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, head.length); back++) {
    const byte = head[head.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return back < needed ? head.subarray(0, head.length - back) : head;
  }
  return head;
}
