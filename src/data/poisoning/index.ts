export { detectPoisoning } from './detect.js';
export { POISONING_DEFAULTS } from './types.js';
export type {
  PoisoningInput,
  PoisoningOptions,
  PoisoningReport,
  PoisoningSignal,
  SignalExample,
  SignalName,
} from './types.js';
