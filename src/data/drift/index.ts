export {
  chiSquareContingency,
  chiSquareDrift,
  chiSquareGof,
  compareCategories,
  contingencyDrift,
  zTestDrift,
} from './chisquare.js';
export type {
  CategoricalTestResult,
  ChiSquareResult,
  ContingencyOptions,
  ContingencyResult,
} from './chisquare.js';
export {
  binShares,
  HISTOGRAM_MIN_DISTINCT,
  histogramCounts,
  jensenShannon,
  klDivergence,
  normedWasserstein,
  populationStd,
  sturgesEdges,
  wassersteinDistance,
} from './distance.js';
export type { BinnedShares, ColumnKind } from './distance.js';
export { kolmogorovSf, smirnovSf } from './kolmogorov.js';
export { ks2samp, KS_MAX_EXACT_N } from './ks.js';
export type { KsResult } from './ks.js';
export type { Category, Degenerate, TestResult } from './result.js';
export { hellingerDrift, jensenShannonDrift, klDivDrift, psiDrift } from './scores.js';
export { chi2Sf, erfc, gammaQ, logGamma, normalCdf } from './special.js';
