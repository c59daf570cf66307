import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseGatewayPath, parseSlowly } from './path.js';

describe('parseGatewayPath', () => {
  it('matches the OIP routes it serves', () => {
    assert.deepEqual(parseGatewayPath('/v2/health/live'), { ok: true, path: { kind: 'live' } });
    assert.deepEqual(parseGatewayPath('/v2/models/fraud-scorer/versions/4/infer'), {
      ok: true,
      path: { kind: 'infer', model: 'fraud-scorer', version: '4' },
    });
    assert.deepEqual(parseGatewayPath('/v2/models/m/ready'), {
      ok: true,
      path: { kind: 'model-ready', model: 'm', version: undefined },
    });
    assert.deepEqual(parseGatewayPath('/v2/models/m'), {
      ok: true,
      path: { kind: 'model-metadata', model: 'm', version: undefined },
    });
  });

  it('refuses encodings, dot segments, empty segments and bad names with 400', () => {
    for (const target of [
      '/v2/models/m%2Finfer',
      '/v2/models/%2e%2e/infer',
      '/v2/models/m/../infer',
      '/v2/models/./m/infer',
      '/v2/models//m/infer',
      '/v2/models/m/infer/',
      '/v2/models/m..x/infer',
      '/v2/models/Caps/infer',
      '/v2/models/m/versions/../infer',
      '/v2/models/m/infer?debug=1',
      '/v2\\models/m',
      'http://evil/v2/models/m/infer',
      `/v2/models/${'a'.repeat(600)}`,
    ]) {
      const result = parseGatewayPath(target);
      assert.equal(result.ok ? 200 : result.status, 400, target);
    }
  });

  it('answers 404 for anything outside the allowlist', () => {
    for (const target of ['/v2', '/v2/models', '/v1/models/m:predict', '/v2/models/m/explain']) {
      const result = parseGatewayPath(target);
      assert.equal(result.ok ? 200 : result.status, 404, target);
    }
  });

  it('never accepts a target that contains % or a dot segment', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (tail) => {
        const target = `/v2/models/${tail}`;
        const result = parseGatewayPath(target);
        if (result.ok) {
          assert.ok(
            !target.includes('%') && !target.split('/').some((s) => s === '..' || s === '.'),
          );
        }
      }),
    );
  });

  it('answers as the full segment checks do, fast path or not', () => {
    const token = fc.constantFrom(
      ...['/', 'v2', 'models', 'versions', 'infer', 'ready', 'm', 'M', '1', '.', '..', '-', '_'],
      ...['%2F', '?', '#', '\\', 'health', 'live', 'x'.repeat(130)],
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), (tokens) => {
        for (const target of [tokens.join(''), `/v2/models/${tokens.join('')}`]) {
          assert.deepEqual(parseGatewayPath(target), parseSlowly(target), target);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
