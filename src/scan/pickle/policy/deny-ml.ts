/**
 * Denied globals inside ML frameworks: nested loaders and code-execution gadgets found in
 * torch, numpy, pandas, joblib and friends, plus the scanners themselves (fickling's
 * `ScannerDeactivation`). Sources as in deny-system.ts.
 */
import { words, type DenyRule } from './types.js';

export const DENY_ML: readonly DenyRule[] = [
  { module: 'torch', names: words('load'), reason: 'loads a nested checkpoint', loader: true },
  {
    module: 'torch',
    names: words('hub compile package distributed multiprocessing ops'),
    reason: 'downloads code, compiles or runs arbitrary operators',
  },
  {
    module: 'torch.serialization',
    names: words('load _load _legacy_load'),
    reason: 'loads a nested checkpoint',
    loader: true,
  },
  {
    module: 'torch.storage',
    names: words('_load_from_bytes'),
    reason: 'torch.load on embedded bytes',
    loader: true,
  },
  {
    module: 'torch.hub',
    names: words('load load_state_dict_from_url'),
    reason: 'downloads and loads checkpoints',
    loader: true,
  },
  { module: 'torch.hub', reason: 'downloads and runs repositories' },
  {
    module: 'torch.jit',
    reason: 'loads TorchScript and executes code strings (execWrapper)',
    refs: ['GHSA-vr7h-p6mm-wpmh'],
  },
  {
    module: 'torch._dynamo',
    reason: 'guard evaluation evals expressions',
    refs: ['GHSA-86cj-95qr-2p4f'],
  },
  {
    module: 'torch._inductor',
    reason: 'compiles and runs generated code (codecache.compile_file)',
  },
  {
    module: 'torch.fx',
    reason: 'evaluates guard expressions and generated code',
    refs: ['GHSA-f4x7-rfwp-v3xw'],
  },
  {
    module: 'torch.utils.collect_env',
    reason: 'runs shell commands',
    refs: ['GHSA-f745-w6jp-hpxx', 'GHSA-jhph-76pp-mggw'],
  },
  {
    module: 'torch.utils._config_module',
    reason: 'load_config unpickles bytes',
    loader: true,
    refs: ['GHSA-vv6j-3g6g-2pvj'],
  },
  {
    module: 'torch.utils.bottleneck',
    reason: 'profiles (executes) code strings',
    refs: ['GHSA-4r9r-ch6f-vxmx', 'GHSA-4whj-rm5r-c2v8'],
  },
  {
    module: 'torch.utils.data.datapipes',
    reason: 'decoders unpickle bytes',
    loader: true,
    refs: ['GHSA-h3qp-7fh3-f8h4'],
  },
  { module: 'torch.utils.cpp_extension', reason: 'compiles and loads native code' },
  { module: 'torch.testing._internal', reason: 'test helpers run code and processes' },
  { module: 'torch.distributed', reason: 'RPC runs remote calls' },
  { module: 'torch.multiprocessing', reason: 'spawns processes' },
  { module: 'torch.package', reason: 'imports code from packages' },
  { module: 'torch._export', reason: 'deserialises programs' },
  {
    module: 'numpy.f2py',
    reason: 'crackfortran evals expressions (getlincoef)',
    refs: ['GHSA-r8g5-cgf2-4m4m'],
  },
  { module: 'numpy.testing', reason: 'runstring executes code' },
  { module: 'numpy.distutils', reason: 'build helpers run compilers' },
  { module: 'numpy.ctypeslib', reason: 'loads native libraries' },
  { module: 'numpy', names: words('load'), reason: 'numpy.load may unpickle', loader: true },
  {
    module: 'numpy',
    names: words('save savez savez_compressed savetxt fromfile tofile'),
    reason: 'reads or writes files',
  },
  {
    module: 'numpy.lib.npyio',
    names: words('load'),
    reason: 'numpy.load may unpickle',
    loader: true,
  },
  {
    module: 'numpy.lib._npyio_impl',
    names: words('load'),
    reason: 'numpy.load may unpickle',
    loader: true,
  },
  {
    module: 'numpy.lib.format',
    names: words('read_array'),
    reason: 'may unpickle object arrays',
    loader: true,
  },
  {
    module: 'pandas',
    names: words('read_pickle io.pickle.read_pickle'),
    reason: 'unpickles a file or buffer',
    loader: true,
  },
  {
    module: 'pandas',
    names: words(
      'read_csv read_json read_html read_sql read_table read_excel read_parquet read_hdf',
    ),
    reason: 'reads files and fetches URLs',
  },
  { module: 'pandas', names: words('eval io'), reason: 'evaluates expressions or reads files' },
  {
    module: 'joblib',
    names: words(`
      load numpy_pickle.load numpy_pickle._unpickle numpy_pickle.load_temporary_memmap
      numpy_pickle.NumpyUnpickler
    `),
    reason: 'unpickles a joblib file',
    loader: true,
  },
  {
    module: 'joblib',
    names: words('numpy_pickle_compat externals _memmapping_reducer parallel'),
    reason: 'loads companion arrays with allow_pickle (NDArrayWrapper) or runs callables',
  },
  {
    module: 'sklearn.externals',
    names: words('joblib.load joblib.numpy_pickle.load'),
    reason: 'vendored joblib loader',
    loader: true,
  },
  {
    module: 'sklearn.externals',
    names: words('joblib.numpy_pickle_compat _cloudpickle'),
    reason: 'vendored joblib and cloudpickle internals',
  },
  {
    module: 'keras',
    names: words('models.load_model saving.load_model layers.Lambda'),
    reason: 'loads models that may carry code',
    loader: true,
  },
  {
    module: 'tensorflow',
    names: words(`
      keras saved_model py_function numpy_function compat io load_library load_op_library
    `),
    reason: 'loads models, native libraries or runs Python functions',
  },
  { module: 'picklescan', reason: 'tampers with a model scanner' },
  { module: 'modelscan', reason: 'tampers with a model scanner' },
  { module: 'fickling', reason: 'tampers with a model scanner' },
  { module: 'modelaudit', reason: 'tampers with a model scanner' },
];
