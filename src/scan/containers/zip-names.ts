/**
 * Zip member names as readers see them: UTF-8 when flag 0x800 says so, else code page 437;
 * CPython cuts a name at its first NUL. And the zip-slip test: does a name leave the folder it
 * is extracted into, with `/` or `\` as separators?
 */

const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const UTF8_FLAG = 0x800;

/** Decodes a stored name as CPython does (without its NUL cut; see {@link pythonView}). */
export function decodeName(bytes: Uint8Array, flags: number): string {
  if ((flags & UTF8_FLAG) !== 0) return new TextDecoder('utf-8').decode(bytes);
  let name = '';
  for (const byte of bytes)
    name += byte < 0x80 ? String.fromCharCode(byte) : (CP437_HIGH[byte - 0x80] ?? '');
  return name;
}

/** The name CPython's zipfile reports: everything before the first NUL. */
export function pythonView(name: string): string {
  const nul = name.indexOf('\0');
  return nul < 0 ? name : name.slice(0, nul);
}

/** True for a directory entry (its name ends with `/`). */
export function isDirectory(name: string): boolean {
  return name.endsWith('/');
}

/** Why `name` escapes the extraction folder, or undefined when it stays inside. */
export function traversal(name: string): string | undefined {
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  if (name.startsWith('/') || name.startsWith('\\')) return 'is an absolute path';
  let depth = 0;
  for (const part of name.split(/[/\\]/)) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return 'climbs out of the extraction folder with ..';
  }
  return undefined;
}
