/**
 * Python 2 names the unpickler rewrites before importing when the pickle's protocol is below 3
 * (`fix_imports`), from CPython `Lib/_compat_pickle.py`. Only entries that change what a
 * global resolves to for policy purposes are kept.
 */

/** Module renames (`IMPORT_MAPPING`). */
export const IMPORT_MAPPING: ReadonlyMap<string, string> = new Map([
  ['__builtin__', 'builtins'],
  ['copy_reg', 'copyreg'],
  ['cPickle', 'pickle'],
  ['commands', 'subprocess'],
  ['httplib', 'http.client'],
  ['urllib2', 'urllib.request'],
  ['urlparse', 'urllib.parse'],
  ['robotparser', 'urllib.robotparser'],
  ['xmlrpclib', 'xmlrpc.client'],
  ['SimpleXMLRPCServer', 'xmlrpc.server'],
  ['DocXMLRPCServer', 'xmlrpc.server'],
  ['BaseHTTPServer', 'http.server'],
  ['SimpleHTTPServer', 'http.server'],
  ['CGIHTTPServer', 'http.server'],
  ['Cookie', 'http.cookies'],
  ['cookielib', 'http.cookiejar'],
  ['SocketServer', 'socketserver'],
  ['Queue', 'queue'],
  ['thread', '_thread'],
  ['dummy_thread', '_dummy_thread'],
  ['_winreg', 'winreg'],
  ['anydbm', 'dbm'],
  ['whichdb', 'dbm'],
  ['dbm', 'dbm.ndbm'],
  ['gdbm', 'dbm.gnu'],
  ['dumbdbm', 'dbm.dumb'],
  ['UserDict', 'collections'],
  ['UserList', 'collections'],
  ['UserString', 'collections'],
  ['StringIO', 'io'],
  ['cStringIO', 'io'],
  ['exceptions', 'builtins'],
  ['test.test_support', 'test.support'],
  ['_elementtree', 'xml.etree.ElementTree'],
  ['repr', 'reprlib'],
  ['ConfigParser', 'configparser'],
]);

/** `(module, name)` renames (`NAME_MAPPING`), keyed `module name`. */
const NAME_MAPPING: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['__builtin__ xrange', ['builtins', 'range']],
  ['__builtin__ reduce', ['functools', 'reduce']],
  ['__builtin__ intern', ['sys', 'intern']],
  ['__builtin__ unichr', ['builtins', 'chr']],
  ['__builtin__ unicode', ['builtins', 'str']],
  ['__builtin__ long', ['builtins', 'int']],
  ['itertools izip', ['builtins', 'zip']],
  ['itertools imap', ['builtins', 'map']],
  ['itertools ifilter', ['builtins', 'filter']],
  ['itertools ifilterfalse', ['itertools', 'filterfalse']],
  ['itertools izip_longest', ['itertools', 'zip_longest']],
  ['UserDict IterableUserDict', ['collections', 'UserDict']],
  ['exceptions StandardError', ['builtins', 'Exception']],
  ['_socket fromfd', ['socket', 'fromfd']],
  ['_multiprocessing Connection', ['multiprocessing.connection', 'Connection']],
  ['multiprocessing.process Process', ['multiprocessing.context', 'Process']],
  ['multiprocessing.forking Popen', ['multiprocessing.popen_fork', 'Popen']],
  ['urllib urlopen', ['urllib.request', 'urlopen']],
  ['urllib urlretrieve', ['urllib.request', 'urlretrieve']],
  ['urllib2 HTTPError', ['urllib.error', 'HTTPError']],
  ['urllib2 URLError', ['urllib.error', 'URLError']],
]);

/** What `find_class` imports for `(module, name)` under `fix_imports`. */
export function fixImports(module: string, name: string): readonly [string, string] {
  const renamed = NAME_MAPPING.get(`${module} ${name}`);
  if (renamed) return renamed;
  return [IMPORT_MAPPING.get(module) ?? module, name];
}
