import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as formats from './index.js';

describe('formats/index', () => {
  it('exports the scanners and sniffers the engine dispatches to, and nothing else', () => {
    assert.deepEqual(Object.keys(formats).sort(), [
      'checkTemplate',
      'looksLikeGguf',
      'looksLikeHdf5',
      'looksLikeSafetensors',
      'scanGguf',
      'scanHdf5',
      'scanJson',
      'scanOnnx',
      'scanSafetensors',
      'scanSavedModel',
      'scanTemplate',
      'scanYaml',
      'sniffProtobuf',
      'sniffText',
      'walkKerasConfig',
    ]);
  });
});
