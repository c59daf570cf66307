/**
 * Globals a model pickle may import and call: exact `module` + `qualname` pairs, no wildcards
 * (scanners.md §6.1). Sources: picklescan `_safe_globals`, ModelAudit `ML_SAFE_GLOBALS`,
 * fickling `ml.MLAllowlist`, torch `weights_only` unpickler (`torch/_weights_only_unpickler.py`)
 * and globals observed in pickles written by torch 1.13, numpy 1.24/2.x, scikit-learn 1.2,
 * joblib 1.2, xgboost and pandas. A deny hit is never overridden by this list.
 */
import { words } from './types.js';

const TORCH_STORAGES = words(`
  FloatStorage DoubleStorage HalfStorage BFloat16Storage LongStorage IntStorage ShortStorage
  CharStorage ByteStorage BoolStorage ComplexFloatStorage ComplexDoubleStorage QInt8Storage
  QUInt8Storage QInt32Storage QUInt4x2Storage QUInt2x4Storage UntypedStorage TypedStorage
`);

const TORCH_DTYPES = words(`
  float32 float float64 double float16 half bfloat16 complex32 chalf complex64 cfloat
  complex128 cdouble uint8 uint16 uint32 uint64 int8 int16 short int32 int int64 long bool
  qint8 quint8 qint32 quint4x2 quint2x4 float8_e4m3fn float8_e5m2 float8_e4m3fnuz
  float8_e5m2fnuz
`);

/** Layouts, memory formats and quantisation schemes pickled as torch attributes. */
const TORCH_ENUMS = words(`
  strided sparse_coo sparse_csr sparse_csc sparse_bsr sparse_bsc _mkldnn contiguous_format
  channels_last channels_last_3d preserve_format per_tensor_affine per_channel_affine
  per_tensor_symmetric per_channel_symmetric per_channel_affine_float_qparams
`);

const TORCH_LEGACY_TENSORS = words(`
  Tensor FloatTensor DoubleTensor HalfTensor BFloat16Tensor LongTensor IntTensor ShortTensor
  CharTensor ByteTensor BoolTensor
`);

/** Tensor rebuild helpers called by `torch.load` (torch/_utils.py). */
const TORCH_REBUILD = words(`
  _rebuild_tensor _rebuild_tensor_v2 _rebuild_tensor_v3 _rebuild_parameter
  _rebuild_parameter_with_state _rebuild_qtensor _rebuild_sparse_tensor
  _rebuild_sparse_csr_tensor _rebuild_nested_tensor _rebuild_device_tensor_from_numpy
  _rebuild_meta_tensor_no_storage _rebuild_wrapper_subclass _rebuild_xla_tensor
  _rebuild_mlc_tensor _rebuild_from_type _rebuild_from_type_v2
`);

const NUMPY_SCALARS = words(`
  bool_ int8 int16 int32 int64 uint8 uint16 uint32 uint64 intc uintc longlong ulonglong
  float16 float32 float64 longdouble complex64 complex128 clongdouble str_ bytes_ void
  datetime64 timedelta64
`);

const TORCH_MODULES: Record<string, readonly string[]> = {
  'torch.nn.modules.container': words(`
    Sequential ModuleList ModuleDict ParameterList ParameterDict
  `),
  'torch.nn.modules.linear': words('Linear Identity Bilinear LazyLinear'),
  'torch.nn.modules.conv': words(`
    Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d
  `),
  'torch.nn.modules.batchnorm': words('BatchNorm1d BatchNorm2d BatchNorm3d'),
  'torch.nn.modules.normalization': words('LayerNorm GroupNorm'),
  'torch.nn.modules.activation': words(`
    ReLU GELU SiLU Sigmoid Tanh Softmax LeakyReLU MultiheadAttention
  `),
  'torch.nn.modules.dropout': words('Dropout Dropout2d'),
  'torch.nn.modules.sparse': words('Embedding EmbeddingBag'),
  'torch.nn.modules.pooling': words('MaxPool1d MaxPool2d AvgPool2d AdaptiveAvgPool2d'),
  'torch.nn.modules.flatten': words('Flatten Unflatten'),
  'torch.nn.modules.rnn': words('LSTM GRU RNN'),
  'torch.nn.parameter': words('Parameter UninitializedParameter Buffer'),
};

const SKLEARN: Record<string, readonly string[]> = {
  // Cython extension types pickled through REDUCE.
  'sklearn.tree._tree': words('Tree'),
  'sklearn.neighbors._kd_tree': words('KDTree newObj'),
  'sklearn.neighbors._ball_tree': words('BallTree newObj'),
  'sklearn.metrics._dist_metrics': words(`
    newObj EuclideanDistance EuclideanDistance64 ManhattanDistance64 MinkowskiDistance64
  `),
  'sklearn.linear_model._sgd_fast': words(`
    Hinge SquaredHinge Log ModifiedHuber SquaredLoss Huber EpsilonInsensitive
    SquaredEpsilonInsensitive
  `),
  'sklearn._loss._loss': words(`
    CyHalfSquaredError CyAbsoluteError CyPinballLoss CyHuberLoss CyHalfPoissonLoss
    CyHalfGammaLoss CyHalfTweedieLoss CyHalfTweedieLossIdentity CyHalfBinomialLoss
    CyExponentialLoss CyHalfMultinomialLoss
    __pyx_unpickle_CyHalfSquaredError __pyx_unpickle_CyAbsoluteError
    __pyx_unpickle_CyPinballLoss __pyx_unpickle_CyHuberLoss __pyx_unpickle_CyHalfPoissonLoss
    __pyx_unpickle_CyHalfGammaLoss __pyx_unpickle_CyHalfTweedieLoss
    __pyx_unpickle_CyHalfTweedieLossIdentity __pyx_unpickle_CyHalfBinomialLoss
    __pyx_unpickle_CyExponentialLoss __pyx_unpickle_CyHalfMultinomialLoss
  `),
  // Estimators and transformers (NEWOBJ + BUILD).
  'sklearn.linear_model._logistic': words('LogisticRegression LogisticRegressionCV'),
  'sklearn.linear_model._base': words('LinearRegression'),
  'sklearn.linear_model._ridge': words('Ridge RidgeClassifier'),
  'sklearn.linear_model._coordinate_descent': words('Lasso ElasticNet'),
  'sklearn.linear_model._stochastic_gradient': words('SGDClassifier SGDRegressor'),
  'sklearn.ensemble._forest': words(`
    RandomForestClassifier RandomForestRegressor ExtraTreesClassifier ExtraTreesRegressor
  `),
  'sklearn.ensemble._gb': words('GradientBoostingClassifier GradientBoostingRegressor'),
  'sklearn.ensemble._iforest': words('IsolationForest'),
  'sklearn.ensemble._hist_gradient_boosting.gradient_boosting': words(`
    HistGradientBoostingClassifier HistGradientBoostingRegressor
  `),
  'sklearn.ensemble._hist_gradient_boosting.binning': words('_BinMapper'),
  'sklearn.ensemble._hist_gradient_boosting.predictor': words('TreePredictor'),
  'sklearn.tree._classes': words(`
    DecisionTreeClassifier DecisionTreeRegressor ExtraTreeClassifier ExtraTreeRegressor
  `),
  'sklearn.svm._classes': words('SVC SVR NuSVC NuSVR LinearSVC LinearSVR OneClassSVM'),
  'sklearn.neighbors._classification': words('KNeighborsClassifier'),
  'sklearn.neighbors._regression': words('KNeighborsRegressor'),
  'sklearn.naive_bayes': words('GaussianNB MultinomialNB BernoulliNB ComplementNB'),
  'sklearn.neural_network._multilayer_perceptron': words('MLPClassifier MLPRegressor'),
  'sklearn.pipeline': words('Pipeline FeatureUnion'),
  'sklearn.compose._column_transformer': words('ColumnTransformer'),
  'sklearn.preprocessing._data': words(`
    StandardScaler MinMaxScaler MaxAbsScaler RobustScaler Normalizer
  `),
  'sklearn.preprocessing._encoders': words('OneHotEncoder OrdinalEncoder'),
  'sklearn.preprocessing._label': words('LabelEncoder LabelBinarizer MultiLabelBinarizer'),
  'sklearn.feature_extraction.text': words('CountVectorizer TfidfVectorizer TfidfTransformer'),
  'sklearn.decomposition._pca': words('PCA'),
  'sklearn.decomposition._truncated_svd': words('TruncatedSVD'),
  'sklearn.cluster._kmeans': words('KMeans MiniBatchKMeans'),
  'sklearn.impute._base': words('SimpleImputer'),
  'sklearn.dummy': words('DummyClassifier DummyRegressor'),
  'sklearn.utils._bunch': words('Bunch'),
  'sklearn._loss.link': words(`
    Interval IdentityLink LogLink LogitLink HalfLogitLink MultinomialLogit
  `),
  'sklearn._loss.loss': words(`
    HalfSquaredError AbsoluteError PinballLoss HuberLoss HalfPoissonLoss HalfGammaLoss
    HalfTweedieLoss HalfTweedieLossIdentity HalfBinomialLoss ExponentialLoss HalfMultinomialLoss
  `),
  'sklearn.ensemble._gb_losses': words(`
    LeastSquaresError LeastAbsoluteError HuberLossFunction QuantileLossFunction
    BinomialDeviance MultinomialDeviance ExponentialLoss
  `),
  'sklearn.neural_network._stochastic_optimizers': words('AdamOptimizer SGDOptimizer'),
};

const ALLOW_RECORD: Record<string, readonly string[]> = {
  builtins: words(`
    set frozenset slice complex bytearray bytes int float str dict list tuple bool range
    object
  `),
  collections: words('OrderedDict defaultdict Counter deque'),
  _codecs: words('encode'),
  copyreg: words('_reconstructor __newobj__ __newobj_ex__'),
  datetime: words('datetime date time timedelta timezone'),
  decimal: words('Decimal'),
  fractions: words('Fraction'),
  uuid: words('UUID'),
  argparse: words('Namespace'),
  types: words('SimpleNamespace'),
  pathlib: words('Path PosixPath WindowsPath PurePath PurePosixPath PureWindowsPath'),
  torch: [
    ...TORCH_STORAGES,
    ...TORCH_DTYPES,
    ...TORCH_ENUMS,
    ...TORCH_LEGACY_TENSORS,
    ...words('Size device dtype layout memory_format qscheme'),
  ],
  'torch._utils': TORCH_REBUILD,
  'torch._tensor': words('_rebuild_from_type_v2 _rebuild_from_type'),
  'torch.storage': words('UntypedStorage TypedStorage _StorageBase'),
  'torch.serialization': words('_get_layout'),
  ...TORCH_MODULES,
  numpy: [...words('ndarray dtype matrix'), ...NUMPY_SCALARS],
  'numpy.core.multiarray': words('_reconstruct scalar'),
  'numpy._core.multiarray': words('_reconstruct scalar'),
  // numpy 2's backward-compatibility shim for arrays pickled by very old numpy:
  // `ndarray.__new__(subtype, shape, dtype)`, the subtype itself judged as its own global.
  'numpy.core._internal': words('_reconstruct'),
  'numpy.core.numeric': words('_frombuffer'),
  'numpy._core.numeric': words('_frombuffer'),
  'numpy.ma.core': words('_mareconstruct MaskedArray'),
  'numpy.matrixlib.defmatrix': words('matrix'),
  'numpy.random._pickle': words('__randomstate_ctor __bit_generator_ctor __generator_ctor'),
  'numpy.random.mtrand': words('RandomState'),
  'numpy.random._generator': words('Generator'),
  'numpy.random._mt19937': words('MT19937'),
  'numpy.random._pcg64': words('PCG64 PCG64DXSM'),
  'numpy.random.bit_generator': words('SeedSequence'),
  'scipy.sparse._csr': words('csr_matrix csr_array'),
  'scipy.sparse._csc': words('csc_matrix csc_array'),
  'scipy.sparse._coo': words('coo_matrix coo_array'),
  'scipy.sparse.csr': words('csr_matrix'),
  'scipy.sparse.csc': words('csc_matrix'),
  ...SKLEARN,
  'xgboost.core': words('Booster'),
  'xgboost.sklearn': words(`
    XGBModel XGBClassifier XGBRegressor XGBRanker XGBRFClassifier XGBRFRegressor
  `),
  'lightgbm.basic': words('Booster'),
  'lightgbm.sklearn': words('LGBMModel LGBMClassifier LGBMRegressor LGBMRanker'),
  'joblib.numpy_pickle': words('NumpyArrayWrapper'),
  'sklearn.externals.joblib.numpy_pickle': words('NumpyArrayWrapper'),
  'pandas.core.frame': words('DataFrame'),
  'pandas.core.series': words('Series'),
  'pandas.core.internals.managers': words('BlockManager SingleBlockManager'),
  'pandas._libs.internals': words('_unpickle_block'),
  'pandas.core.indexes.base': words('_new_Index Index'),
  'pandas.core.indexes.range': words('RangeIndex'),
  'pandas.core.indexes.datetimes': words('_new_DatetimeIndex'),
  'pandas._libs.tslibs.timestamps': words('_unpickle_timestamp'),
};

/** The allowlist: module → exact qualified names. */
export const ALLOW: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(ALLOW_RECORD).map(([module, names]) => [module, new Set(names)]),
);

/** Globals whose first positional argument the call invokes (torch `_rebuild_from_type_v2`). */
export const CALLS_FIRST_ARGUMENT: ReadonlySet<string> = new Set(
  words(`
  torch._utils._rebuild_from_type_v2 torch._tensor._rebuild_from_type_v2
`),
);
