/** Decoding one OSV record file (JSON or YAML) into a document for {@link parseAdvisory}. */
import { parse as parseYaml } from 'yaml';
import { RampartError, type ErrorCode } from '../core/index.js';

/**
 * Parses record text: JSON when `source` ends in `.json`, YAML otherwise. YAML uses the
 * failsafe schema, which keeps every scalar a string (`fixed: 1.10` must stay "1.10", not
 * 1.1), allows no aliases and refuses duplicate keys.
 * @throws `code` naming `source` when the text is not valid JSON or YAML
 */
export function decodeRecord(
  text: string,
  source: string,
  code: ErrorCode = 'RAMPART_ADVISORY_INVALID',
): unknown {
  try {
    return source.toLowerCase().endsWith('.json')
      ? JSON.parse(text)
      : parseYaml(text, { schema: 'failsafe', maxAliasCount: 0, uniqueKeys: true });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new RampartError(code, `${source}: not valid YAML or JSON: ${reason}`, {
      cause: error,
      details: { path: source },
    });
  }
}
