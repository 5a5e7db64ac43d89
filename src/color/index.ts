/** Color science: sRGB <-> CIELAB (D65), color to gray by L*, the sRGB gamut at constant L*, CIEDE2000, Hasler-Suesstrunk colorfulness. Browser-safe. */
export * from './lab.js';
export { deltaE2000, deltaE2000Map, meanDeltaE2000 } from './ciede2000.js';
export { computeColorfulness, computeColorfulnessOfPixels } from './colorfulness.js';
export { computeGamutScale, fitChromaToGamut } from './gamut.js';
