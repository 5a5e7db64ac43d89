import type { ColorizationMethod, ColorizeInput, ColorizeResult } from './types.js';

/**
 * The gray baseline: keeps L*, sets a* = b* = 0.
 *
 * @example
 * const { ab } = await grayMethod.colorize({ width, height, L });
 */
export const grayMethod: ColorizationMethod = {
  name: 'gray',
  description: 'baseline: keep L*, a* = b* = 0',
  pointwise: true,
  async colorize(input: ColorizeInput): Promise<ColorizeResult> {
    return { width: input.width, height: input.height, ab: new Float32Array(input.width * input.height * 2) };
  },
};
