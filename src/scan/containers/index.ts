/** Container formats: zip archives, NumPy arrays and whole-file compressed streams. */
export { scanCompressed, sniffCompression } from './compressed.js';
export type { Compression } from './compressed.js';
export { looksLikeNumpy, scanNumpy } from './numpy.js';
export { scanZip } from './zip.js';
