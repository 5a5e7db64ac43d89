import { describe, expect, it } from 'vitest';
import { isMedcolorError } from '../../src/errors.js';
import { getMethod, listMethods, registerMethod } from '../../src/methods/registry.js';

describe('method registry', () => {
  it('lists every classical method and gray', () => {
    const names = listMethods().map((m) => m.name);
    for (const n of ['gray', 'lut', 'ct-tissue', 'transfer', 'welsh', 'kmeans', 'scribble']) expect(names).toContain(n);
    expect(getMethod('transfer').needsReference).toBe(true);
    expect(getMethod('welsh').needsReference).toBe(true);
  });
  it('unknown names fail with ERR_UNKNOWN_METHOD listing the valid ones', () => {
    try {
      getMethod('deoldify');
      expect.unreachable();
    } catch (e) {
      expect(isMedcolorError(e, 'ERR_UNKNOWN_METHOD')).toBe(true);
      expect((e as Error).message).toMatch(/valid: gray, lut, ct-tissue/);
    }
  });
  it('registers a new method (as the model method does)', async () => {
    registerMethod({
      name: 'test-constant', description: 'a* = 10',
      async colorize(input) { return { width: input.width, height: input.height, ab: new Float32Array(2 * input.L.length).fill(10) }; },
    });
    const r = await getMethod('test-constant').colorize({ width: 1, height: 1, L: new Float32Array([50]) });
    expect(Array.from(r.ab)).toEqual([10, 10]);
    expect(() => registerMethod({ name: 'Bad Name', description: '', colorize: async () => ({ width: 0, height: 0, ab: new Float32Array() }) })).toThrow(/kebab-case/);
  });
});
