/**
 * `ct-tissue`: rule-based CT coloring from Hounsfield units, with tissue colors resembling
 * cryosection photographs (Visible Human Project): pink lung, yellow fat, pale straw fluid,
 * red-brown muscle and organs, dark red contrast-enhanced blood, ivory bone.
 * Browser-safe (no Node built-ins).
 *
 * Each class starts at `fromHU` (the first class at -infinity) and lasts until the next class.
 * A pixel takes its class color's a*, b* (the color's CIELAB chroma, not its lightness: the input
 * L* is kept); across each boundary the chroma is interpolated linearly over `transitionHU`
 * (centered on the boundary), so partial-volume voxels get intermediate colors instead of a
 * hard contour. Finally chroma is scaled toward gray only as far as needed to be displayable at
 * the pixel's L* (a dark window level cannot show a bright yellow).
 */
import { srgb8ToLab } from '../color/lab.js';
import { MedcolorError } from '../errors.js';
import type { ColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions } from './types.js';
import { computeGamutScale } from '../color/gamut.js';
import { checkInput } from './util.js';

/** One tissue class: from `fromHU` up to the next class's `fromHU`. */
export interface CtTissueClass {
  name: string;
  /** Lower bound in HU (ignored for the first class, which starts at -infinity). */
  fromHU: number;
  /** 8-bit sRGB color whose hue and chroma the class gets. */
  color: [number, number, number];
}

/**
 * Default classes (HU ranges from standard CT attenuation tables; colors chosen to resemble
 * Visible Human cryosection photographs).
 */
export const DEFAULT_CT_CLASSES: readonly CtTissueClass[] = [
  { name: 'air', fromHU: -Infinity, color: [128, 128, 128] }, // neutral: no tissue
  { name: 'lung', fromHU: -900, color: [205, 125, 130] }, // aerated parenchyma, pink
  { name: 'fat', fromHU: -200, color: [230, 195, 110] }, // -150..-50, yellow
  { name: 'water', fromHU: -20, color: [205, 195, 160] }, // fluid, CSF, bile: pale straw
  { name: 'soft-tissue', fromHU: 20, color: [165, 75, 62] }, // muscle, organs: red-brown
  { name: 'blood-contrast', fromHU: 130, color: [150, 28, 40] }, // contrast-enhanced vessels, dark red
  { name: 'bone', fromHU: 300, color: [228, 216, 182] }, // cancellous and cortical bone: ivory
];

/** Options of the `ct-tissue` method. */
export interface CtTissueOptions extends MethodOptions {
  /** Replace the class table (sorted by fromHU). Default DEFAULT_CT_CLASSES. */
  classes?: CtTissueClass[];
  /** Change colors of named classes, e.g. { fat: [255, 220, 0] }. */
  colors?: Record<string, [number, number, number]>;
  /** Change lower bounds of named classes, e.g. { bone: 250 }. */
  ranges?: Record<string, number>;
  /** Width in HU over which chroma blends across a class boundary. Default 20. */
  transitionHU?: number;
  /** Multiplies every class chroma. Default 1. */
  chromaScale?: number;
}

/** The class table after applying `classes`, `colors` and `ranges`, checked. */
export function resolveCtClasses(options: CtTissueOptions = {}): CtTissueClass[] {
  const base = (options.classes ?? DEFAULT_CT_CLASSES).map((c) => ({ ...c, color: [...c.color] as [number, number, number] }));
  if (base.length === 0) throw new MedcolorError('ERR_BAD_OPTION', 'ct-tissue: classes must not be empty');
  const names = base.map((c) => c.name);
  for (const key of [...Object.keys(options.colors ?? {}), ...Object.keys(options.ranges ?? {})]) {
    if (!names.includes(key)) {
      throw new MedcolorError('ERR_BAD_OPTION', `ct-tissue: unknown class '${key}'; valid: ${names.join(', ')}`);
    }
  }
  for (const c of base) {
    if (options.colors?.[c.name]) c.color = [...options.colors[c.name]] as [number, number, number];
    if (options.ranges?.[c.name] !== undefined) c.fromHU = options.ranges[c.name];
  }
  for (let i = 1; i < base.length; i++) {
    if (!(base[i].fromHU > base[i - 1].fromHU)) {
      throw new MedcolorError('ERR_BAD_OPTION',
        `ct-tissue: class lower bounds must increase; '${base[i].name}' starts at ${base[i].fromHU} HU, not above '${base[i - 1].name}' (${base[i - 1].fromHU} HU)`);
    }
  }
  return base;
}

/**
 * The tissue class index of a Hounsfield value.
 *
 * @example
 * classifyHu(-100, resolveCtClasses()) // 2 (fat)
 */
export function classifyHu(hu: number, classes: readonly CtTissueClass[]): number {
  let k = 0;
  while (k + 1 < classes.length && hu >= classes[k + 1].fromHU) k++;
  return k;
}

/**
 * Colors a CT image by tissue class from its Hounsfield units; needs `input.gray` with
 * `meta.units === 'HU'`.
 *
 * @example
 * const r = await ctTissueMethod.colorize({ width, height, L, gray: ctSlice }, { ranges: { bone: 250 } });
 */
export const ctTissueMethod: ColorizationMethod = {
  name: 'ct-tissue',
  description: 'rule-based CT coloring by Hounsfield-unit tissue class (air, lung, fat, fluid, soft tissue, contrast blood, bone), cryosection-like colors',
  async colorize(input: ColorizeInput, options: CtTissueOptions = {}): Promise<ColorizeResult> {
    const { width, height, L, gray } = input;
    checkInput(width, height, L, 'ct-tissue');
    if (!gray || gray.meta?.units !== 'HU') {
      throw new MedcolorError('ERR_NO_HU_CALIBRATION',
        `ct-tissue needs a CT image calibrated in Hounsfield units (input.gray with meta.units 'HU', from a CT DICOM with Rescale Slope/Intercept); found ${gray ? `units '${gray.meta?.units ?? ''}'${gray.meta?.modality ? ` (modality ${gray.meta.modality})` : ''}` : 'no physical image'}. Use another method (lut, kmeans, model) for uncalibrated images`,
        { file: gray?.meta?.source });
    }
    if (gray.width !== width || gray.height !== height) {
      throw new MedcolorError('ERR_BAD_INPUT', `ct-tissue: input.gray is ${gray.width}x${gray.height}, expected the size of L, ${width}x${height}`);
    }
    const classes = resolveCtClasses(options);
    const tw = options.transitionHU ?? 20;
    if (!(tw >= 0)) throw new MedcolorError('ERR_BAD_OPTION', `ct-tissue: transitionHU must be >= 0; found ${tw}`);
    const scale = options.chromaScale ?? 1;
    const lab = srgb8ToLab(new Uint8Array(classes.flatMap((c) => c.color)));
    const ca = classes.map((_, i) => lab[3 * i + 1] * scale);
    const cb = classes.map((_, i) => lab[3 * i + 2] * scale);
    const n = width * height;
    const ab = new Float32Array(2 * n);
    const confidence = new Float32Array(n);
    const hu = gray.data;
    const half = tw / 2;
    for (let i = 0; i < n; i++) {
      const h = hu[i];
      const k = classifyHu(h, classes);
      let a = ca[k], b = cb[k], conf = 1;
      // Blend with the neighbor class inside the transition band around a boundary.
      if (half > 0) {
        if (k > 0 && h < classes[k].fromHU + half) {
          const t = 0.5 + (h - classes[k].fromHU) / tw; // 0.5 at the boundary, 1 at +half
          a = ca[k - 1] + (ca[k] - ca[k - 1]) * t;
          b = cb[k - 1] + (cb[k] - cb[k - 1]) * t;
          conf = t;
        } else if (k + 1 < classes.length && h >= classes[k + 1].fromHU - half) {
          const t = 0.5 + (classes[k + 1].fromHU - h) / tw; // 0.5 at the boundary, 1 at -half
          a = ca[k + 1] + (ca[k] - ca[k + 1]) * t;
          b = cb[k + 1] + (cb[k] - cb[k + 1]) * t;
          conf = t;
        }
      }
      const g = computeGamutScale(L[i], a, b);
      ab[2 * i] = a * g;
      ab[2 * i + 1] = b * g;
      confidence[i] = conf;
    }
    return { width, height, ab, confidence };
  },
};
