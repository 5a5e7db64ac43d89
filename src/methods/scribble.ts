/**
 * `scribble`: Levin, Lischinski and Weiss, "Colorization using Optimization" (SIGGRAPH 2004).
 * Browser-safe (no Node built-ins).
 *
 * Strokes fix the chroma of the pixels they cover; every other pixel's a*, b* becomes the
 * affinity-weighted average of its 3x3 neighbors' (neighbors of similar L* count more), which
 * propagates each stroke's color over the region of similar intensity it lies in and stops it at
 * strong edges. The sparse system and its solver are in sparse.ts.
 *
 * Strokes come as
 * - an RgbImage the size of the input, the gray image with colored marks painted over it: a pixel
 *   is a stroke pixel when its chroma sqrt(a*^2 + b*^2) exceeds `strokeThreshold` (gray strokes
 *   cannot be told from the image in this form: use a stroke list to pin a region to gray);
 * - a stroke list (or its JSON text): {points: [[x, y], ...] (a polyline; one point is a dot),
 *   width (pixels, default 3), color: [r, g, b] | '#rrggbb' | {a, b}, shape: 'round' | 'square'}.
 * A stroke pixel takes the stroke color's a*, b* (its lightness is ignored: the input L* is kept).
 *
 * Confidence (with `options.confidence`): exp(-d), d the geodesic distance to the nearest stroke
 * pixel in the affinity metric (affinity-distance.ts), walking a tenth of the image's longer side
 * through a flat region or crossing one strong edge costing 1: colors far from every stroke, or
 * behind edges, are the propagation's guess.
 */
import { srgb8ToLab } from '../color/lab.js';
import { MedcolorError } from '../errors.js';
import type { RgbImage } from '../image/types.js';
import type { ColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions } from './types.js';
import { computeAffinityDistance } from './affinity-distance.js';
import { buildGridAffinity, solveDirichlet, type SolveStats } from './sparse.js';
import { fitChromaToGamut } from '../color/gamut.js';
import { checkInput } from './util.js';

/** One stroke: a polyline (or a dot) of a given width and color. */
export interface Stroke {
  points: [number, number][];
  /** Width in pixels (diameter of a round pen, side of a square). Default 3. */
  width?: number;
  /** 8-bit sRGB, '#rrggbb', or CIELAB chroma directly. */
  color: [number, number, number] | string | { a: number; b: number };
  /** Pen shape. Default 'round'. */
  shape?: 'round' | 'square';
}

/** Options of the `scribble` method. */
export interface ScribbleOptions extends MethodOptions {
  /** The strokes (see module comment). Required. */
  strokes?: RgbImage | Stroke[] | string;
  /** Chroma above which a pixel of a stroke image is a stroke. Default 4. */
  strokeThreshold?: number;
  /** Relative residual at which the solver stops (1e-3 keeps a*, b* within about 1 unit of the exact solution). Default 1e-3. */
  tol?: number;
  /** Preconditioner of the conjugate gradient (see sparse.ts). Default 'kcycle'. */
  preconditioner?: 'kcycle' | 'multigrid' | 'jacobi';
  /** Iteration cap of the conjugate gradient. Default 500. */
  maxIter?: number;
  /** Called with the solver statistics (for benchmarks and tests). */
  onStats?: (stats: SolveStats & { strokePixels: number }) => void;
}

function strokeChroma(color: Stroke['color'], i: number): [number, number] {
  if (typeof color === 'object' && !Array.isArray(color) && color !== null && 'a' in color) {
    if (!Number.isFinite(color.a) || !Number.isFinite(color.b)) throw new MedcolorError('ERR_BAD_STROKES', `stroke ${i}: color {a, b} must be numbers`);
    return [color.a, color.b];
  }
  let rgb: number[];
  if (typeof color === 'string') {
    const m = /^#?([0-9a-f]{6})$/i.exec(color.trim());
    if (!m) throw new MedcolorError('ERR_BAD_STROKES', `stroke ${i}: color '${color}' is not '#rrggbb'`);
    const v = parseInt(m[1], 16);
    rgb = [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  } else if (Array.isArray(color) && color.length === 3 && color.every((c) => Number.isFinite(c) && c >= 0 && c <= 255)) {
    rgb = color;
  } else {
    throw new MedcolorError('ERR_BAD_STROKES', `stroke ${i}: color must be [r, g, b] (0..255), '#rrggbb' or {a, b}; found ${JSON.stringify(color)}`);
  }
  const lab = srgb8ToLab(new Uint8Array(rgb));
  return [lab[1], lab[2]];
}

/**
 * Parses a JSON stroke list (an array of strokes, or {"strokes": [...]}).
 *
 * @example
 * parseStrokes('[{"points": [[10, 10], [40, 12]], "width": 5, "color": "#ff0000"}]')
 */
export function parseStrokes(text: string, file?: string): Stroke[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new MedcolorError('ERR_BAD_STROKES', `strokes are not valid JSON: ${(e as Error).message}`, { file, cause: e });
  }
  if (v && !Array.isArray(v) && typeof v === 'object' && Array.isArray((v as { strokes?: unknown }).strokes)) v = (v as { strokes: unknown }).strokes;
  if (!Array.isArray(v)) throw new MedcolorError('ERR_BAD_STROKES', 'expected a JSON array of strokes {points, width, color}', { file });
  return v.map((s, i) => {
    const st = s as Partial<Stroke> & { polyline?: [number, number][] };
    const points = st.points ?? st.polyline;
    if (!Array.isArray(points) || points.length === 0 || !points.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite))) {
      throw new MedcolorError('ERR_BAD_STROKES', `stroke ${i}: expected points (or polyline) [[x, y], ...]; found ${JSON.stringify(points)}`, { file });
    }
    if (st.color === undefined) throw new MedcolorError('ERR_BAD_STROKES', `stroke ${i}: missing color`, { file });
    strokeChroma(st.color, i); // validates the color now, with the stroke's index
    return { points, width: st.width, color: st.color, shape: st.shape } as Stroke;
  });
}

/**
 * Rasterizes strokes into a constraint mask and planar a*, b* values.
 *
 * @example
 * const { fixed, a, b } = rasterizeStrokes(strokes, 256, 256);
 */
export function rasterizeStrokes(strokes: Stroke[], width: number, height: number): { fixed: Uint8Array; a: Float32Array; b: Float32Array } {
  const n = width * height;
  const fixed = new Uint8Array(n), a = new Float32Array(n), b = new Float32Array(n);
  strokes.forEach((s, i) => {
    const [ca, cb] = strokeChroma(s.color, i);
    const wd = s.width ?? 3;
    if (!(wd > 0)) throw new MedcolorError('ERR_BAD_STROKES', `stroke ${i}: width must be > 0; found ${wd}`);
    const set = (x: number, y: number): void => {
      if (x < 0 || y < 0 || x >= width || y >= height) return;
      const p = y * width + x;
      fixed[p] = 1; a[p] = ca; b[p] = cb;
    };
    if (s.shape === 'square') {
      const lo = -Math.floor((wd - 1) / 2), hi = Math.ceil((wd - 1) / 2);
      for (const [px, py] of s.points) {
        const cx = Math.round(px), cy = Math.round(py);
        for (let dy = lo; dy <= hi; dy++) for (let dx = lo; dx <= hi; dx++) set(cx + dx, cy + dy);
      }
      return;
    }
    const rad = wd / 2;
    const pts = s.points.length === 1 ? [s.points[0], s.points[0]] : s.points;
    for (let j = 0; j + 1 < pts.length; j++) {
      const [x0, y0] = pts[j], [x1, y1] = pts[j + 1];
      const bx0 = Math.floor(Math.min(x0, x1) - rad), bx1 = Math.ceil(Math.max(x0, x1) + rad);
      const by0 = Math.floor(Math.min(y0, y1) - rad), by1 = Math.ceil(Math.max(y0, y1) + rad);
      const dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
      for (let y = Math.max(0, by0); y <= Math.min(height - 1, by1); y++) {
        for (let x = Math.max(0, bx0); x <= Math.min(width - 1, bx1); x++) {
          const t = len2 > 0 ? Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2)) : 0;
          const ex = x - (x0 + t * dx), ey = y - (y0 + t * dy);
          // A 1-pixel pen must still hit the pixel it passes through.
          if (ex * ex + ey * ey <= Math.max(rad * rad, 0.25)) set(x, y);
        }
      }
    }
  });
  return { fixed, a, b };
}

function strokesFromImage(img: RgbImage, width: number, height: number, threshold: number): { fixed: Uint8Array; a: Float32Array; b: Float32Array } {
  if (img.width !== width || img.height !== height || img.data.length !== width * height * 3) {
    throw new MedcolorError('ERR_BAD_STROKES', `the stroke image is ${img.width}x${img.height}; expected the input's size ${width}x${height} (RGB)`);
  }
  const lab = srgb8ToLab(img.data);
  const n = width * height;
  const fixed = new Uint8Array(n), a = new Float32Array(n), b = new Float32Array(n);
  const t2 = threshold * threshold;
  for (let i = 0; i < n; i++) {
    const ca = lab[3 * i + 1], cb = lab[3 * i + 2];
    if (ca * ca + cb * cb > t2) { fixed[i] = 1; a[i] = ca; b[i] = cb; }
  }
  return { fixed, a, b };
}

/**
 * Propagates stroke colors over the image (see module comment).
 *
 * @example
 * const r = await scribbleMethod.colorize({ width, height, L },
 *   { strokes: [{ points: [[20, 20], [60, 30]], width: 4, color: '#d04030' }] });
 */
export const scribbleMethod: ColorizationMethod = {
  name: 'scribble',
  description: 'Levin, Lischinski, Weiss 2004: stroke colors propagated by affinity-weighted least squares (CG preconditioned by an aggregation multigrid K-cycle)',
  async colorize(input: ColorizeInput, options: ScribbleOptions = {}): Promise<ColorizeResult> {
    const { width, height, L } = input;
    checkInput(width, height, L, 'scribble');
    const src = options.strokes;
    if (src === undefined) {
      throw new MedcolorError('ERR_STROKES_REQUIRED',
        "method 'scribble' needs options.strokes: a stroke image (RGB, the input's size) or a stroke list [{points, width, color}]");
    }
    const cons = typeof src === 'string' ? rasterizeStrokes(parseStrokes(src), width, height)
      : Array.isArray(src) ? rasterizeStrokes(src, width, height)
        : strokesFromImage(src, width, height, options.strokeThreshold ?? 4);
    const n = width * height;
    let strokePixels = 0;
    for (let i = 0; i < n; i++) strokePixels += cons.fixed[i];
    const ab = new Float32Array(2 * n);
    if (strokePixels === 0) return { width, height, ab, ...(options.confidence ? { confidence: new Float32Array(n) } : {}) }; // nothing to propagate: gray
    const Y = new Float32Array(n);
    for (let i = 0; i < n; i++) Y[i] = L[i] / 100;
    const g = buildGridAffinity(Y, width, height);
    const x = [cons.a, cons.b]; // constrained values in place, 0 elsewhere as the start
    const stats = solveDirichlet(g, cons.fixed, x, { tol: options.tol ?? 1e-3, maxIter: options.maxIter ?? 500, preconditioner: options.preconditioner });
    options.onStats?.({ ...stats, strokePixels });
    for (let i = 0; i < n; i++) { ab[2 * i] = x[0][i]; ab[2 * i + 1] = x[1][i]; }
    fitChromaToGamut(L, ab);
    if (!options.confidence) return { width, height, ab };
    const d = computeAffinityDistance(g, cons.fixed, 1 / (0.1 * Math.max(width, height)));
    return { width, height, ab, confidence: d.map((v) => Math.exp(-v)) };
  },
};
