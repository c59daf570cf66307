/**
 * Denied globals that touch files, the network or other deserialisers. Sources as in
 * deny-system.ts; loaders are marked so a call with bytes is reported as RS105 and the bytes
 * are scanned as a nested pickle.
 */
import { words, type DenyRule } from './types.js';

const PICKLESCAN = 'https://github.com/mmaitre314/picklescan/security/advisories';

export const DENY_IO: readonly DenyRule[] = [
  {
    module: 'pickle',
    names: words('load loads Unpickler _load _loads _Unpickler'),
    reason: 'unpickles nested bytes',
    loader: true,
    refs: [PICKLESCAN],
  },
  { module: 'pickle', reason: 'pickle internals reach the unpickler machinery' },
  {
    module: '_pickle',
    names: words('load loads Unpickler'),
    reason: 'unpickles nested bytes',
    loader: true,
    refs: [PICKLESCAN],
  },
  { module: '_pickle', reason: 'C unpickler internals' },
  {
    module: 'cPickle',
    names: words('load loads Unpickler'),
    reason: 'Python 2 unpickler',
    loader: true,
  },
  { module: 'cPickle', reason: 'Python 2 unpickler internals' },
  {
    module: 'dill',
    names: words('load loads _dill.load _dill.loads _dill.Unpickler Unpickler'),
    reason: 'unpickles nested bytes',
    loader: true,
  },
  { module: 'dill', reason: 'rebuilds functions and code objects from bytecode (_create_code)' },
  {
    module: 'cloudpickle',
    names: words('load loads cloudpickle.load cloudpickle.loads'),
    reason: 'unpickles nested bytes',
    loader: true,
  },
  {
    module: 'cloudpickle',
    reason: 'rebuilds functions and code objects (_make_function, _builtin_type)',
    refs: [PICKLESCAN],
  },
  { module: 'jsonpickle', reason: 'decodes arbitrary objects from JSON', loader: true },
  { module: 'shelve', reason: 'opens pickle-backed databases', loader: true },
  { module: 'marshal', reason: 'deserialises code objects', loader: true },
  {
    module: 'yaml',
    names: words(`
      load unsafe_load full_load load_all unsafe_load_all full_load_all UnsafeLoader
      FullLoader Loader
    `),
    reason: 'unsafe YAML loaders construct arbitrary objects',
    loader: true,
  },
  {
    module: 'io',
    names: words(`
      open open_code FileIO BufferedReader BufferedWriter BufferedRandom BufferedRWPair
      TextIOWrapper
    `),
    reason: 'opens files',
  },
  {
    module: '_io',
    names: words(`
      open open_code FileIO BufferedReader BufferedWriter BufferedRandom BufferedRWPair
      TextIOWrapper
    `),
    reason: 'opens files (_io.FileIO)',
    refs: [PICKLESCAN],
  },
  { module: 'codecs', names: words('open EncodedFile'), reason: 'opens files' },
  { module: 'gzip', names: words('open GzipFile'), reason: 'opens files' },
  { module: 'bz2', names: words('open BZ2File'), reason: 'opens files' },
  { module: 'lzma', names: words('open LZMAFile'), reason: 'opens files' },
  { module: 'fileinput', reason: 'opens files' },
  { module: 'tempfile', reason: 'creates files and folders' },
  { module: 'shutil', reason: 'copies, moves and deletes files (rmtree)' },
  { module: 'mmap', reason: 'maps files into memory' },
  { module: 'fcntl', reason: 'file-descriptor control' },
  { module: 'msvcrt', reason: 'Windows runtime file and process calls' },
  { module: 'winreg', reason: 'Windows registry access' },
  { module: '_winreg', reason: 'Windows registry access' },
  { module: 'py_compile', reason: 'writes compiled files' },
  { module: 'compileall', reason: 'compiles and writes files' },
  { module: 'sqlite3', reason: 'opens databases and loads extensions' },
  { module: '_sqlite3', reason: 'opens databases and loads extensions' },
  { module: 'dbm', reason: 'opens database files' },
  {
    module: 'distutils',
    reason: 'build helpers write files and spawn compilers (file_util.write_file)',
    refs: ['GHSA-m273-6v24-x4m4'],
  },
  { module: 'setuptools', reason: 'build helpers run commands' },
  { module: 'pkg_resources', reason: 'EntryPoint.load imports anything' },
  { module: 'pip', reason: 'installs packages (pip.main)', refs: ['CVE-2025-1716'] },
  {
    module: 'ensurepip',
    reason: 'runs pip in a subprocess (_run_pip)',
    refs: ['GHSA-xp4f-hrf8-rxw7'],
  },
  { module: 'venv', reason: 'creates environments and runs ensurepip' },
  {
    module: 'logging',
    names: words('FileHandler basicConfig config handlers'),
    reason: 'creates files or network handlers (logging.FileHandler, logging.config.listen)',
    refs: [PICKLESCAN],
  },
  { module: 'socket', reason: 'opens network connections' },
  { module: '_socket', reason: 'opens network connections' },
  { module: 'ssl', reason: 'opens TLS connections (get_server_certificate exfiltrates by DNS)' },
  { module: '_ssl', reason: 'TLS primitives' },
  { module: 'http', reason: 'HTTP clients and servers' },
  { module: 'httplib', reason: 'Python 2 HTTP client' },
  { module: 'urllib', reason: 'fetches URLs (urllib.request.urlopen)', refs: [PICKLESCAN] },
  { module: 'urllib2', reason: 'Python 2 URL fetching' },
  { module: 'urllib3', reason: 'HTTP client' },
  { module: 'requests', reason: 'HTTP client (requests.get)' },
  { module: 'httpx', reason: 'HTTP client' },
  { module: 'aiohttp', reason: 'HTTP client and server' },
  { module: 'websocket', reason: 'network client' },
  { module: 'websockets', reason: 'network client' },
  { module: 'paramiko', reason: 'SSH client' },
  { module: 'pycurl', reason: 'network client' },
  { module: 'ftplib', reason: 'FTP client' },
  { module: 'telnetlib', reason: 'telnet client' },
  { module: 'smtplib', reason: 'SMTP client' },
  { module: 'smtpd', reason: 'SMTP server' },
  { module: 'poplib', reason: 'POP3 client' },
  { module: 'imaplib', reason: 'IMAP4_stream spawns a command', refs: ['GHSA-g38g-8gr9-h9xp'] },
  { module: 'nntplib', reason: 'NNTP client' },
  { module: 'xmlrpc', reason: 'RPC client and server' },
  { module: 'xmlrpclib', reason: 'Python 2 RPC client' },
  { module: 'SimpleXMLRPCServer', reason: 'Python 2 RPC server' },
  { module: 'socketserver', reason: 'network servers' },
  { module: 'SocketServer', reason: 'Python 2 network servers' },
  { module: 'BaseHTTPServer', reason: 'Python 2 HTTP server' },
  { module: 'SimpleHTTPServer', reason: 'Python 2 HTTP server' },
  { module: 'CGIHTTPServer', reason: 'Python 2 CGI server (runs scripts)' },
  { module: 'wsgiref', reason: 'HTTP server' },
  { module: 'cgi', reason: 'CGI helpers' },
  { module: 'cgitb', reason: 'writes tracebacks to files' },
  { module: 'webbrowser', reason: 'launches a browser (runs a command)' },
  { module: 'antigravity', reason: 'opens a browser on import' },
];
