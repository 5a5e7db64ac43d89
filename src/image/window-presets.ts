/**
 * Common CT display windows (center / width in Hounsfield units), as radiology viewers offer
 * them. Browser-safe.
 */
import type { VoiWindow } from './types.js';

/** A named window for Hounsfield-unit images. */
export interface WindowPreset extends VoiWindow {
  name: string;
}

/**
 * CT window presets: soft tissue, lung, bone, brain.
 *
 * @example
 * const lung = CT_WINDOW_PRESETS.find((p) => p.name === 'lung')!; // { center: -600, width: 1500 }
 * grayToL(ct, { window: lung });
 */
export const CT_WINDOW_PRESETS: readonly WindowPreset[] = [
  { name: 'soft tissue', center: 40, width: 400 },
  { name: 'lung', center: -600, width: 1500 },
  { name: 'bone', center: 400, width: 1800 },
  { name: 'brain', center: 40, width: 80 },
];
