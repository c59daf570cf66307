/** Which scanner reads which format. Formats without a scanner are recorded but not inspected. */
import { scanCompressed, scanNumpy, scanZip } from './containers/index.js';
import type { FormatScanner } from './context.js';
import {
  scanGguf,
  scanHdf5,
  scanJson,
  scanOnnx,
  scanSafetensors,
  scanSavedModel,
  scanTemplate,
  scanYaml,
} from './formats/index.js';
import { scanPickle, scanTorchLegacy } from './pickle/index.js';
import type { Format } from './types.js';

const unscannable: FormatScanner = (_source, context) => {
  context.finding({
    rule: 'RS205',
    message: '7z archives are not supported, so the contents were not scanned',
    check: 'archive.7z',
  });
  return Promise.resolve();
};

/** The scanner for each format; `undefined` means nothing in it can run code. */
export const SCANNERS: Readonly<Record<Format, FormatScanner | undefined>> = {
  pickle: scanPickle,
  'torch-legacy': scanTorchLegacy,
  zip: scanZip,
  numpy: scanNumpy,
  compressed: scanCompressed,
  hdf5: scanHdf5,
  savedmodel: scanSavedModel,
  onnx: scanOnnx,
  safetensors: scanSafetensors,
  gguf: scanGguf,
  json: scanJson,
  yaml: scanYaml,
  template: scanTemplate,
  sevenzip: unscannable,
  text: undefined,
  unknown: undefined,
};
