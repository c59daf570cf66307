/** Scanners and sniffers for model formats other than pickle and archives. */
export { checkTemplate } from './template.js';
export { looksLikeGguf, scanGguf } from './gguf.js';
export { looksLikeHdf5, scanHdf5 } from './hdf5.js';
export { walkKerasConfig } from './keras.js';
export { scanOnnx } from './onnx.js';
export { sniffProtobuf } from './protobuf-sniff.js';
export { looksLikeSafetensors, scanSafetensors } from './safetensors.js';
export { scanSavedModel } from './savedmodel.js';
export { scanJson, scanTemplate, scanYaml, sniffText } from './text-formats.js';
