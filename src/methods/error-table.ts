/**
 * The model's expected error per pixel, learned on its training split: a table of the mean
 * CIEDE2000 between prediction and truth for bins of the pixel's L*, the predicted chroma and the
 * spread of the mirrored predictions (flip-confidence.ts). Stored in the model's metadata as
 * `medcolor.confidence` (JSON, {@link ErrorTable}); the model's confidence is then
 * exp(-expected error / {@link ERROR_SCALE}). Where the table has too few training pixels in a
 * bin it falls back to the bin of L* and chroma over every spread, then to the whole set's mean.
 * Browser-safe.
 */
import { MedcolorError } from '../errors.js';
import { META, parseMetadataJson } from '../models/contract.js';

/** Version of the `medcolor.confidence` JSON. */
export const ERROR_TABLE_FORMAT = 'medcolor-error-table-v1';
/** CIEDE2000 at which confidence is 1/e (0.37): 1 unit -> 0.82, 10 units -> 0.14. */
export const ERROR_SCALE = 5;
/** Bin edges: L* (0..100), predicted chroma (a*b* units), spread of the mirrored predictions. */
export const ERROR_TABLE_EDGES = {
  L: [5, 10, 20, 35, 50, 65, 80, 90],
  chroma: [2, 5, 10, 15, 20, 30, 45],
  spread: [0.5, 1, 2, 4],
} as const;
/** Fewer training pixels than this in a bin: use the coarser bin. */
const MIN_COUNT = 32;

/** The `medcolor.confidence` metadata entry. */
export interface ErrorTable {
  format: typeof ERROR_TABLE_FORMAT;
  edges: { L: number[]; chroma: number[]; spread: number[] };
  /** Mean CIEDE2000 per bin, index ((l * nChroma) + c) * nSpread + s; null where too few pixels. */
  mean: (number | null)[];
  /** The same over every spread, index l * nChroma + c. */
  meanLc: (number | null)[];
  /** Mean over every training pixel. */
  overall: number;
  /** Training images and pixels it was learned from. */
  images: number;
  pixels: number;
}

function binOf(edges: readonly number[], v: number): number {
  let b = 0;
  while (b < edges.length && v >= edges[b]) b++;
  return b;
}

/** Accumulates training pixels, then makes the table. */
export class ErrorTableBuilder {
  private readonly nL = ERROR_TABLE_EDGES.L.length + 1;
  private readonly nC = ERROR_TABLE_EDGES.chroma.length + 1;
  private readonly nS = ERROR_TABLE_EDGES.spread.length + 1;
  private readonly sum = new Float64Array(this.nL * this.nC * this.nS);
  private readonly count = new Float64Array(this.nL * this.nC * this.nS);
  private images = 0;

  /**
   * Adds one image: its L* (planar), the predicted a*b* (interleaved), the spread of the mirrored
   * predictions and the per-pixel CIEDE2000 against the truth.
   */
  add(L: ArrayLike<number>, ab: ArrayLike<number>, spread: ArrayLike<number>, error: ArrayLike<number>): void {
    for (let i = 0; i < L.length; i++) {
      const k = this.index(L[i], Math.hypot(ab[2 * i], ab[2 * i + 1]), spread[i]);
      this.sum[k] += error[i];
      this.count[k]++;
    }
    this.images++;
  }

  private index(l: number, chroma: number, spread: number): number {
    const e = ERROR_TABLE_EDGES;
    return (binOf(e.L, l) * this.nC + binOf(e.chroma, chroma)) * this.nS + binOf(e.spread, spread);
  }

  build(): ErrorTable {
    const r = (v: number) => Math.round(v * 1000) / 1000;
    const pixels = this.count.reduce((a, b) => a + b, 0);
    if (pixels === 0) throw new MedcolorError('ERR_DATASET', 'an error table needs at least one training image');
    const meanLc: (number | null)[] = [];
    for (let lc = 0; lc < this.nL * this.nC; lc++) {
      let s = 0, c = 0;
      for (let k = 0; k < this.nS; k++) {
        s += this.sum[lc * this.nS + k];
        c += this.count[lc * this.nS + k];
      }
      meanLc.push(c >= MIN_COUNT ? r(s / c) : null);
    }
    return {
      format: ERROR_TABLE_FORMAT,
      edges: { L: [...ERROR_TABLE_EDGES.L], chroma: [...ERROR_TABLE_EDGES.chroma], spread: [...ERROR_TABLE_EDGES.spread] },
      mean: Array.from(this.sum, (s, k) => (this.count[k] >= MIN_COUNT ? r(s / this.count[k]) : null)),
      meanLc,
      overall: r(this.sum.reduce((a, b) => a + b, 0) / pixels),
      images: this.images,
      pixels,
    };
  }
}

/**
 * Confidence per pixel from the table: exp(-expected CIEDE2000 / ERROR_SCALE).
 *
 * @example
 * const confidence = confidenceFromTable(table, input.L, ab, spread);
 */
export function confidenceFromTable(t: ErrorTable, L: ArrayLike<number>, ab: ArrayLike<number>, spread: ArrayLike<number>): Float32Array {
  const nC = t.edges.chroma.length + 1, nS = t.edges.spread.length + 1;
  const out = new Float32Array(L.length);
  for (let i = 0; i < L.length; i++) {
    const lc = binOf(t.edges.L, L[i]) * nC + binOf(t.edges.chroma, Math.hypot(ab[2 * i], ab[2 * i + 1]));
    const e = t.mean[lc * nS + binOf(t.edges.spread, spread[i])] ?? t.meanLc[lc] ?? t.overall;
    out[i] = Math.exp(-e / ERROR_SCALE);
  }
  return out;
}

/**
 * Reads a model's `medcolor.confidence` metadata; undefined when absent. Malformed ->
 * MedcolorError 'ERR_MODEL_CONTRACT'.
 */
export function parseErrorTable(value: string | undefined, file?: string): ErrorTable | undefined {
  if (value === undefined || value === '') return undefined;
  const t = parseMetadataJson(META.confidence, value, file) as ErrorTable;
  const cells = t?.edges ? (t.edges.L.length + 1) * (t.edges.chroma.length + 1) : -1;
  const ok = t && t.format === ERROR_TABLE_FORMAT && Array.isArray(t.edges?.spread) && Array.isArray(t.mean) &&
    t.mean.length === cells * (t.edges.spread.length + 1) && Array.isArray(t.meanLc) && t.meanLc.length === cells &&
    typeof t.overall === 'number' && Number.isFinite(t.overall);
  if (!ok) {
    throw new MedcolorError('ERR_MODEL_CONTRACT', `metadata medcolor.confidence must be ${ERROR_TABLE_FORMAT} (edges, mean, meanLc, overall); found ${value.slice(0, 120)}`, { file });
  }
  return t;
}
