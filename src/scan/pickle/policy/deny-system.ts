/**
 * Denied globals that run commands or code, import modules or reach interpreter internals.
 * Union of the picklescan (`_unsafe_globals`), modelscan (`settings.py`), fickling
 * (`UnsafeImports`, `BadCalls`) and ModelAudit (`ALWAYS_DANGEROUS_*`) lists, plus the
 * advisories in shared/reference/scanners.md §4.
 */
import { words, type DenyRule } from './types.js';

const PICKLESCAN = 'https://github.com/mmaitre314/picklescan/security/advisories';

/** Builtins that evaluate code, import, reach attributes or touch files. */
const BUILTIN_NAMES = words(`
  eval exec execfile compile open file input raw_input __import__ getattr setattr delattr
  globals locals vars breakpoint exit quit help license credits copyright reload apply map
  filter
`);

export const DENY_SYSTEM: readonly DenyRule[] = [
  {
    module: 'builtins',
    names: BUILTIN_NAMES,
    reason: 'evaluates code, imports modules, reaches arbitrary attributes or opens files',
    refs: ['https://docs.python.org/3/library/pickle.html#restricting-globals'],
  },
  {
    module: '__builtin__',
    names: BUILTIN_NAMES,
    reason: 'Python 2 name of builtins: evaluates code, imports or opens files',
  },
  {
    module: '__builtins__',
    names: BUILTIN_NAMES,
    reason: 'alias of builtins: evaluates code, imports or opens files',
  },
  { module: 'os', reason: 'runs commands and reads or writes files (os.system, os.popen)' },
  { module: 'posix', reason: 'POSIX alias of os: runs commands (posix.system)' },
  { module: 'nt', reason: 'Windows alias of os: runs commands (nt.system)' },
  { module: 'subprocess', reason: 'spawns processes' },
  { module: '_posixsubprocess', reason: 'low-level process spawning (fork_exec)' },
  { module: '_winapi', reason: 'Windows process creation (CreateProcess)' },
  { module: 'commands', reason: 'Python 2 shell command runner' },
  { module: 'popen2', reason: 'Python 2 process spawning' },
  { module: 'pty', reason: 'spawns a shell on a pseudo-terminal', refs: ['GHSA-vqmv-47xg-9wpr'] },
  { module: 'pexpect', reason: 'spawns and drives processes' },
  { module: 'sh', reason: 'runs shell commands' },
  { module: 'platform', reason: 'helpers run external commands (platform._syscmd_file)' },
  { module: 'pipes', reason: 'builds and runs shell pipelines' },
  { module: 'mailcap', reason: 'looks up and builds shell commands' },
  { module: 'sys', reason: 'exits the process or rewires modules (sys.exit, sys.modules)' },
  { module: 'runpy', reason: 'runs code (runpy._run_code, run_module)' },
  {
    module: 'code',
    reason: 'interactive interpreter: runs source (InteractiveInterpreter.runsource/runcode)',
    refs: ['GHSA-cj3c-v495-4xqh'],
  },
  { module: 'codeop', reason: 'compiles source code' },
  { module: 'pdb', reason: 'debugger: runs code strings (pdb.run)' },
  { module: 'bdb', reason: 'debugger base: runs code strings (Bdb.run)', refs: [PICKLESCAN] },
  {
    module: 'trace',
    reason: 'Trace.run/runctx execute code strings',
    refs: ['GHSA-5qwp-399c-mjwf', 'GHSA-g344-hcph-8vgg'],
  },
  {
    module: 'profile',
    reason: 'profile.run/Profile.runctx execute code strings',
    refs: ['GHSA-7wx9-6375-f5wh', 'GHSA-x696-vm39-cp64', 'GHSA-6vqj-c2q5-j97w'],
  },
  {
    module: 'cProfile',
    reason: 'cProfile.run/runctx execute code strings',
    refs: ['GHSA-49gj-c84q-6qm9', 'GHSA-9w88-8rmg-7g2p'],
  },
  { module: '_lsprof', reason: 'profiler core used by cProfile to run code' },
  { module: 'timeit', reason: 'timeit executes its setup and statement strings' },
  {
    module: 'pydoc',
    reason: 'pydoc.locate imports anything; pydoc.pipepager runs a shell command',
    refs: ['GHSA-84r2-jw7c-4r5q'],
  },
  {
    module: 'doctest',
    reason: 'doctest.debug_script runs a script under pdb',
    refs: ['GHSA-fqq6-7vqf-w3fg'],
  },
  {
    module: 'idlelib',
    reason: 'IDLE helpers eval or exec their arguments (runcode, fetch_tip, get_entity)',
    refs: [
      'GHSA-3gf5-cxq9-w223',
      'GHSA-3vg9-h568-4w9m',
      'GHSA-6w4w-5w54-rjvr',
      'GHSA-7cq8-mj8x-j263',
      'GHSA-8r4j-24qv-fmq9',
      'GHSA-9xph-j2h6-g47v',
      'GHSA-j343-8v2j-ff7w',
      'GHSA-m869-42cg-3xwr',
    ],
  },
  {
    module: 'lib2to3',
    reason: 'pgen evals labels; Grammar.loads unpickles bytes',
    refs: ['GHSA-p9w7-82w4-7q8m', 'GHSA-f54q-57x4-jg88'],
  },
  { module: '_pyrepl', reason: 'pager helpers run shell commands', refs: ['GHSA-g38g-8gr9-h9xp'] },
  { module: 'test', reason: 'test.support spawns interpreters', refs: ['GHSA-g38g-8gr9-h9xp'] },
  {
    module: '_osx_support',
    reason: 'runs shell commands (_read_output)',
    refs: ['GHSA-g38g-8gr9-h9xp'],
  },
  {
    module: '_aix_support',
    reason: 'runs shell commands (_read_cmd_output)',
    refs: ['GHSA-g38g-8gr9-h9xp'],
  },
  {
    module: 'uuid',
    names: words(`
      _get_command_stdout _popen _find_mac _find_mac_near_keyword _find_mac_under_heading
      _ifconfig_getnode _ip_getnode _arp_getnode _lanscan_getnode _netstat_getnode
    `),
    reason: 'node-id helpers run external commands',
    refs: ['GHSA-g38g-8gr9-h9xp', 'CVE-2026-56315'],
  },
  { module: 'importlib', reason: 'imports arbitrary modules' },
  { module: 'imp', reason: 'imports and loads arbitrary modules' },
  { module: '_imp', reason: 'low-level import machinery' },
  { module: 'zipimport', reason: 'imports code from zip files' },
  { module: 'pkgutil', reason: 'resolve_name imports anything', refs: ['GHSA-vvpj-8cmc-gx39'] },
  { module: 'modulefinder', reason: 'runs import machinery on paths' },
  { module: 'site', reason: 'site.main processes .pth files, which execute code' },
  { module: 'sitecustomize', reason: 'startup hook module' },
  { module: 'usercustomize', reason: 'startup hook module' },
  { module: '_frozen_importlib', reason: 'import machinery' },
  { module: '_frozen_importlib_external', reason: 'import machinery' },
  {
    module: 'ctypes',
    reason: 'loads native libraries and calls C functions',
    refs: ['GHSA-4675-36f9-wf6r'],
  },
  { module: '_ctypes', reason: 'native function calls' },
  { module: 'cffi', reason: 'loads native libraries' },
  { module: 'gc', reason: 'gc.get_objects reaches every live object' },
  { module: 'inspect', reason: 'reaches frames, globals and code of the loading program' },
  {
    module: 'types',
    names: words(`
      CodeType FunctionType LambdaType MethodType BuiltinFunctionType BuiltinMethodType
      MethodWrapperType WrapperDescriptorType MethodDescriptorType ClassMethodDescriptorType
      ModuleType CellType FrameType TracebackType GeneratorType CoroutineType
      AsyncGeneratorType new_class prepare_class coroutine
    `),
    reason: 'builds code objects, functions or modules from raw data',
    refs: [PICKLESCAN],
  },
  {
    module: 'operator',
    reason: 'attrgetter/methodcaller/call reach and call arbitrary attributes',
    refs: ['GHSA-84r2-jw7c-4r5q'],
  },
  {
    module: '_operator',
    reason: 'C version of operator: attrgetter/methodcaller reach arbitrary attributes',
    refs: ['GHSA-46h3-79wf-xr6c', 'GHSA-955r-x9j8-7rhh'],
  },
  {
    module: 'functools',
    names: words('partial partialmethod reduce singledispatch wraps update_wrapper'),
    reason: 'binds or applies arbitrary callables (partial(os.system, ...))',
  },
  { module: '_functools', names: words('partial reduce'), reason: 'binds or applies callables' },
  {
    module: 'copyreg',
    names: words(`
      add_extension remove_extension clear_extension_cache pickle constructor dispatch_table
      _extension_registry _inverted_registry _extension_cache
    `),
    reason: 'rewrites the pickle extension and reducer registries',
  },
  { module: 'threading', reason: 'starts threads running arbitrary targets' },
  { module: '_thread', reason: 'starts threads running arbitrary functions' },
  { module: 'thread', reason: 'Python 2 threads' },
  { module: 'multiprocessing', reason: 'spawns processes running arbitrary targets' },
  { module: '_multiprocessing', reason: 'process primitives' },
  { module: 'concurrent', reason: 'process pools and subinterpreters run arbitrary callables' },
  { module: '_interpreters', reason: 'runs code in a subinterpreter' },
  { module: '_xxsubinterpreters', reason: 'runs code in a subinterpreter' },
  { module: 'interpreters', reason: 'runs code in a subinterpreter' },
  { module: 'signal', reason: 'installs signal handlers and sends signals' },
  { module: '_signal', reason: 'signal primitives' },
  { module: 'atexit', reason: 'registers callables to run at exit' },
  { module: 'sched', reason: 'schedules arbitrary callables' },
  {
    module: 'asyncio',
    reason: 'subprocess transports and event loops run commands',
    refs: ['CVE-2025-10157', 'GHSA-jgw4-cr84-mqxg', 'GHSA-q77w-mwjj-7mqx'],
  },
  { module: '_asyncio', reason: 'event-loop primitives' },
  { module: 'IPython', reason: 'runs cells and shell commands' },
  { module: 'unittest', reason: 'mock objects call arbitrary side effects and import by name' },
];
