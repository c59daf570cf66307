/** The one-character escapes of Python string literals (`\n`, `\'`, …), shared by the NumPy
 * header parser and the Jinja template lexer (Jinja strings use Python's escapes). */
export const PYTHON_SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};
