/**
 * The policy as data: how globals are classified, and invariants of the lists themselves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALLOW } from './allow.js';
import { classify, DENY } from './index.js';

describe('classify', () => {
  it('denies whole modules and their submodules', () => {
    assert.equal(classify('os', 'system', 4).level, 'deny');
    assert.equal(classify('os.path', 'join', 4).level, 'deny');
    assert.equal(classify('asyncio.unix_events', '_UnixSubprocessTransport', 4).level, 'deny');
  });

  it('denies named entries and everything reached through them', () => {
    assert.equal(classify('builtins', 'eval', 4).level, 'deny');
    assert.equal(classify('builtins', 'getattr', 3).level, 'deny');
    assert.equal(classify('uuid', '_get_command_stdout', 4).level, 'deny');
    assert.equal(classify('torch', 'utils.collect_env.run', 4).level, 'deny');
    assert.equal(classify('logging', 'config.listen', 4).level, 'deny');
  });

  it('never matches by substring', () => {
    assert.equal(classify('ossify', 'system', 4).level, 'unknown');
    assert.equal(classify('builtins', 'evaluate', 4).level, 'unknown');
    assert.equal(classify('mysys', 'exit', 4).level, 'unknown');
  });

  it('allows exact pairs only; dotted names stay unknown', () => {
    assert.equal(classify('collections', 'OrderedDict', 2).level, 'allow');
    assert.equal(classify('torch._utils', '_rebuild_tensor_v2', 2).level, 'allow');
    assert.equal(classify('numpy._core.multiarray', '_reconstruct', 4).level, 'allow');
    assert.equal(classify('collections', 'OrderedDict.fromkeys', 4).level, 'unknown');
    assert.equal(classify('torch', 'FloatStorage.something', 4).level, 'unknown');
  });

  it('maps Python 2 names below protocol 3 (fix_imports)', () => {
    assert.equal(classify('__builtin__', 'set', 2).level, 'allow');
    assert.equal(classify('__builtin__', 'set', 3).level, 'unknown');
    assert.equal(classify('copy_reg', '_reconstructor', 0).level, 'allow');
    assert.equal(classify('__builtin__', 'eval', 4).level, 'deny');
    assert.equal(classify('httplib', 'HTTPSConnection', 0).level, 'deny');
    assert.equal(classify('commands', 'getoutput', 3).level, 'deny');
  });

  it('denies dunder traversal', () => {
    assert.equal(classify('builtins', '__dict__.get', 4).level, 'deny');
    assert.equal(classify('builtins', 'object.__getattribute__', 4).level, 'deny');
    assert.equal(classify('collections', 'OrderedDict.__subclasses__', 4).level, 'deny');
    assert.equal(classify('copyreg', '__newobj__', 2).level, 'allow');
  });

  it('marks nested deserialisers as loaders', () => {
    assert.equal(classify('pickle', 'loads', 4).loader, true);
    assert.equal(classify('torch', 'load', 4).loader, true);
    assert.equal(classify('dill._dill', '_create_code', 4).loader, undefined);
    assert.equal(classify('dill._dill', '_create_code', 4).level, 'deny');
  });
});

describe('policy data', () => {
  it('gives every deny rule a reason', () => {
    for (const rule of DENY) assert.ok(rule.reason.length > 5, rule.module);
  });

  it('has no allowlist entry that the denylist overrides', () => {
    for (const [module, names] of ALLOW) {
      for (const name of names) {
        assert.notEqual(classify(module, name, 4).level, 'deny', `${module}.${name}`);
      }
    }
  });

  it('covers every module named by the bypass list of scanners.md §4', () => {
    const named = [
      ['pip', 'main'],
      ['bdb', 'Bdb.run'],
      ['pty', 'spawn'],
      ['ctypes', 'CDLL'],
      ['cProfile', 'run'],
      ['profile', 'run'],
      ['timeit', 'timeit'],
      ['trace', 'Trace.run'],
      ['pydoc', 'locate'],
      ['operator', 'methodcaller'],
      ['numpy.f2py.crackfortran', 'getlincoef'],
      ['distutils.file_util', 'write_file'],
      ['ensurepip', '_run_pip'],
      ['doctest', 'debug_script'],
      ['idlelib.pyshell', 'ModifiedInterpreter.runcode'],
      ['lib2to3.pgen2.pgen', 'ParserGenerator.make_label'],
      ['torch.utils.collect_env', 'run'],
      ['torch._dynamo.guards', 'GuardBuilder.get'],
      ['torch.fx.experimental.symbolic_shapes', 'ShapeEnv.evaluate_guards_expression'],
      ['torch.jit.unsupported_tensor_ops', 'execWrapper'],
      ['torch.utils._config_module', 'ConfigModule.load_config'],
      ['pkgutil', 'resolve_name'],
      ['_io', 'FileIO'],
      ['logging', 'FileHandler'],
      ['urllib.request', 'urlopen'],
      ['types', 'CodeType'],
      ['cloudpickle.cloudpickle', '_make_function'],
      ['uuid', '_get_command_stdout'],
      ['_osx_support', '_read_output'],
      ['_aix_support', '_read_cmd_output'],
      ['imaplib', 'IMAP4_stream'],
      ['_pyrepl.pager', 'pipe_pager'],
      ['test.support.script_helper', 'assert_python_ok'],
      ['marshal', 'loads'],
      ['runpy', '_run_code'],
      ['code', 'InteractiveInterpreter.runsource'],
      ['importlib', 'import_module'],
      ['multiprocessing', 'Process'],
      ['_interpreters', 'run_string'],
      ['ssl', 'get_server_certificate'],
      ['webbrowser', 'open'],
      ['shutil', 'rmtree'],
      ['socket', 'create_connection'],
      ['signal', 'signal'],
      ['sys', 'exit'],
      ['requests.api', 'get'],
      ['aiohttp.client', 'ClientSession'],
      ['venv', 'create'],
    ] as const;
    for (const [module, name] of named) {
      assert.equal(classify(module, name, 4).level, 'deny', `${module}.${name}`);
    }
  });
});
