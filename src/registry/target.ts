/** Where a model and its signature are: the root, the subject name and the signature path. */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileError } from '../core/index.js';

/** A resolved model target. */
export interface ModelTarget {
  readonly root: string;
  readonly isFile: boolean;
  /** The subject name: the base name of the resolved folder or file. */
  readonly subjectName: string;
  readonly signaturePath: string;
  /** The signature's path relative to the root when it lies inside the model folder. */
  readonly signatureInside?: string;
}

/**
 * Resolves `modelPath` and the signature path: by default `model.sig` inside a folder, and
 * `<file>.sig` beside a single file.
 * @throws file errors for a missing or unreadable model.
 */
export async function resolveTarget(
  modelPath: string,
  signaturePath?: string,
): Promise<ModelTarget> {
  const info = await stat(modelPath).catch((error: unknown) => {
    throw fileError(error, modelPath);
  });
  const resolved = await realpath(modelPath).catch((error: unknown) => {
    throw fileError(error, modelPath);
  });
  const isFile = info.isFile();
  const signature = path.resolve(
    signaturePath ?? (isFile ? `${modelPath}.sig` : path.join(modelPath, 'model.sig')),
  );
  const root = path.resolve(modelPath);
  const relative = path.relative(root, signature);
  const inside =
    !isFile && relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
      ? relative.split(path.sep).join('/')
      : undefined;
  return {
    root,
    isFile,
    subjectName: path.basename(resolved),
    signaturePath: signature,
    ...(inside === undefined ? {} : { signatureInside: inside }),
  };
}
