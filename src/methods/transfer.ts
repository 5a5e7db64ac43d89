/**
 * `transfer`: global color statistics transfer after Reinhard, Ashikhmin, Gooch and Shirley,
 * "Color Transfer between Images" (IEEE CG&A 2001), adapted to a gray target.
 * Browser-safe (no Node built-ins).
 *
 * Reinhard et al. shift and scale each channel of the target so that its mean and standard
 * deviation become those of the reference, in a decorrelated opponent space (we use CIELAB,
 * which is opponent as well and is the project's working space). A gray target has no chroma
 * to scale (its a*, b* deviation is zero), so the method runs in three documented steps:
 *
 * 1. Luminance histogram matching: the reference's L* values are remapped so that their
 *    histogram equals the target's (L'_ref = F_target^-1(F_ref(L_ref)), F the cumulative
 *    histograms over `bins` bins). The reference's chroma is then indexed by the lightness it
 *    would have in the target's lightness distribution.
 * 2. Chroma as a function of lightness: every target pixel gets the mean reference a*, b* over the
 *    reference pixels whose matched L' falls in the same bin (empty bins take the nearest
 *    non-empty bin). This gives the target a chroma image c(L).
 * 3. Reinhard's statistics transfer on that chroma: a_out = (c_a - mean(c_a)) * std_ref(a*) /
 *    std(c_a) + mean_ref(a*) (same for b*). The output's a*, b* means and standard deviations are
 *    therefore those of the reference. When c has no variation (the reference's chroma does not
 *    depend on lightness), the output is the reference's mean chroma.
 *
 * The OUTPUT keeps the input L*: only a*, b* are produced (then scaled toward gray where they
 * would not be displayable at that L*, which can lower the deviations slightly; set
 * `gamutClamp: false` to get the exact statistics).
 */
import type { ColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions } from './types.js';
import { fitChromaToGamut } from '../color/gamut.js';
import { checkInput, referenceToLab } from './util.js';

/** Options of the `transfer` method. */
export interface TransferOptions extends MethodOptions {
  /** Histogram bins over L* 0..100 for matching and for c(L). Default 100. */
  bins?: number;
  /** Scale chroma into the sRGB gamut at each pixel's L*. Default true. */
  gamutClamp?: boolean;
}

function meanStd(v: Float32Array, stride: number, off: number): [number, number] {
  let s = 0, s2 = 0;
  const n = v.length / stride;
  for (let i = off; i < v.length; i += stride) { s += v[i]; s2 += v[i] * v[i]; }
  const m = s / n;
  return [m, Math.sqrt(Math.max(0, s2 / n - m * m))];
}

function binOf(l: number, bins: number): number {
  const k = Math.floor((l / 100) * bins);
  return k < 0 ? 0 : k >= bins ? bins - 1 : k;
}

/**
 * Reinhard statistics transfer from `options.reference` onto a gray image (see module comment).
 *
 * @example
 * const r = await transferMethod.colorize({ width, height, L }, { reference: colorPhoto });
 */
export const transferMethod: ColorizationMethod = {
  name: 'transfer',
  description: 'Reinhard et al. 2001 global Lab statistics transfer from a reference, after luminance histogram matching',
  needsReference: true,
  async colorize(input: ColorizeInput, options: TransferOptions = {}): Promise<ColorizeResult> {
    const { width, height, L } = input;
    checkInput(width, height, L, 'transfer');
    const ref = referenceToLab(options.reference, 'transfer');
    const bins = Math.max(2, Math.floor(options.bins ?? 100));
    const nr = ref.length / 3, n = L.length;

    // 1. Cumulative histograms and the matching map ref bin -> target lightness.
    const hr = new Float64Array(bins), ht = new Float64Array(bins);
    for (let i = 0; i < nr; i++) hr[binOf(ref[3 * i], bins)]++;
    for (let i = 0; i < n; i++) ht[binOf(L[i], bins)]++;
    const cdfT = new Float64Array(bins);
    let acc = 0;
    for (let k = 0; k < bins; k++) { acc += ht[k] / n; cdfT[k] = acc; }
    // A reference pixel in bin k sits at the middle of its bin's cumulative mass.
    const refToTargetBin = new Int32Array(bins);
    acc = 0;
    for (let k = 0; k < bins; k++) {
      const mid = acc + hr[k] / nr / 2;
      acc += hr[k] / nr;
      let j = 0;
      while (j < bins - 1 && cdfT[j] < mid) j++;
      refToTargetBin[k] = j;
    }

    // 2. Mean reference chroma per matched bin.
    const sa = new Float64Array(bins), sb = new Float64Array(bins), cnt = new Float64Array(bins);
    for (let i = 0; i < nr; i++) {
      const j = refToTargetBin[binOf(ref[3 * i], bins)];
      sa[j] += ref[3 * i + 1]; sb[j] += ref[3 * i + 2]; cnt[j]++;
    }
    const ca = new Float32Array(bins), cb = new Float32Array(bins);
    for (let k = 0; k < bins; k++) {
      let j = -1;
      for (let d = 0; d < bins && j < 0; d++) {
        if (k - d >= 0 && cnt[k - d] > 0) j = k - d;
        else if (k + d < bins && cnt[k + d] > 0) j = k + d;
      }
      ca[k] = sa[j] / cnt[j];
      cb[k] = sb[j] / cnt[j];
    }
    const ab = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const k = binOf(L[i], bins);
      ab[2 * i] = ca[k];
      ab[2 * i + 1] = cb[k];
    }

    // 3. Reinhard: match means and deviations per channel.
    for (let c = 0; c < 2; c++) {
      const [mt, st] = meanStd(ab, 2, c);
      const [mr, sr] = meanStd(ref, 3, c + 1);
      const gain = st > 1e-6 ? sr / st : 0;
      for (let i = c; i < ab.length; i += 2) ab[i] = (ab[i] - mt) * gain + mr;
    }
    if (options.gamutClamp ?? true) fitChromaToGamut(L, ab);
    return { width, height, ab };
  },
};
