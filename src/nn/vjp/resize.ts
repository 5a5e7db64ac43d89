/**
 * VJP rule of Resize (nearest, linear, cubic; every coordinate mode but tf_crop_and_resize):
 * separable and linear in X, so the gradient is one MatMul with the transposed interpolation
 * matrix per resized axis.
 */
import { registerVjp } from '../autodiff.js';
import { getNumberAttr, getStringAttr } from '../ir.js';
import { floatConstant, transpose } from '../ops.js';

/**
 * The source coordinate of output index `o` along one axis, as ONNX (and ONNX Runtime)
 * define coordinate_transformation_mode.
 */
function sourceCoord(mode: string, o: number, L: number, Lo: number, scale: number): number {
  switch (mode) {
    case 'half_pixel':
      return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return Lo > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return Lo === 1 ? 0 : (o * (L - 1)) / (Lo - 1);
    case 'asymmetric':
      return o / scale;
    case 'tf_half_pixel_for_nn':
      return (o + 0.5) / scale;
  }
  throw new Error(
    `Resize VJP: coordinate_transformation_mode '${mode}' is not supported; valid: half_pixel, pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn`,
  );
}

function nearestIndex(mode: string, x: number, L: number): number {
  let i: number;
  const fl = Math.floor(x);
  switch (mode) {
    case 'round_prefer_floor':
      i = x === fl + 0.5 ? fl : Math.round(x);
      break;
    case 'round_prefer_ceil':
      i = x === fl + 0.5 ? fl + 1 : Math.round(x);
      break;
    case 'floor':
      i = fl;
      break;
    case 'ceil':
      i = Math.ceil(x);
      break;
    default:
      throw new Error(`Resize VJP: nearest_mode '${mode}' is not supported; valid: round_prefer_floor, round_prefer_ceil, floor, ceil`);
  }
  return Math.max(0, Math.min(L - 1, i));
}

/** Options describing one Resize node, as read from its attributes. */
export interface ResizeAxisSpec {
  mode: string;
  coord: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
}

/**
 * The interpolation matrix M [Lo, L] of a Resize along one axis, so that y = M x along that
 * axis. Mirrors ONNX Runtime's CPU kernel: linear clamps the source coordinate to [0, L-1];
 * cubic uses Keys' kernel with coefficient `cubic_coeff_a` and edge replication (or zero
 * weights renormalized when exclude_outside=1).
 *
 * @example
 * resizeMatrix(4, 8, 2, { mode: 'linear', coord: 'half_pixel', nearest: 'round_prefer_floor', cubicA: -0.75, excludeOutside: false });
 */
export function resizeMatrix(L: number, Lo: number, scale: number, spec: ResizeAxisSpec): Float32Array {
  const m = new Float32Array(Lo * L);
  for (let o = 0; o < Lo; o++) {
    const x = sourceCoord(spec.coord, o, L, Lo, scale);
    const row = o * L;
    if (spec.mode === 'nearest') {
      m[row + nearestIndex(spec.nearest, x, L)] = 1;
    } else if (spec.mode === 'linear') {
      const xc = Math.max(0, Math.min(L - 1, x));
      const x1 = Math.min(Math.floor(xc), L - 1);
      const x2 = Math.min(x1 + 1, L - 1);
      const w2 = xc - x1;
      m[row + x1] += 1 - w2;
      m[row + x2] += w2;
    } else if (spec.mode === 'cubic') {
      const a = spec.cubicA;
      const xi = Math.floor(x);
      const t = x - xi;
      const cubic = (d: number) => {
        const s = Math.abs(d);
        if (s <= 1) return ((a + 2) * s - (a + 3)) * s * s + 1;
        if (s < 2) return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
        return 0;
      };
      const taps = [-1, 0, 1, 2].map((j) => ({ i: xi + j, w: cubic(t - j) }));
      if (spec.excludeOutside) {
        const inside = taps.filter((p) => p.i >= 0 && p.i < L);
        const total = inside.reduce((s, p) => s + p.w, 0);
        for (const p of inside) m[row + p.i] += p.w / total;
      } else {
        for (const p of taps) m[row + Math.max(0, Math.min(L - 1, p.i))] += p.w;
      }
    } else {
      throw new Error(`Resize VJP: mode '${spec.mode}' is not supported; valid: nearest, linear, cubic`);
    }
  }
  return m;
}

function isIdentity(m: Float32Array, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (m[i * n + j] !== (i === j ? 1 : 0)) return false;
  return true;
}

/**
 * Resize (nearest, linear, cubic; any integer or fractional scale, scales or sizes given) is
 * separable and linear in X: along each resized axis y = M x with a constant interpolation
 * matrix M, so dX = M^T dY per axis, one MatMul each (the general route: it covers every
 * coordinate mode and scale, not only the half-pixel 2x case a fixed ConvTranspose would).
 */
registerVjp('Resize', ({ g, node, inputs: [x, , scalesT], outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined, undefined, undefined, undefined];
  const coord = getStringAttr(node.attrs.coordinate_transformation_mode, 'half_pixel');
  if (coord === 'tf_crop_and_resize') throw new Error("Resize VJP: coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
  if (getNumberAttr(node.attrs.antialias, 0) !== 0) throw new Error('Resize VJP: antialias is not supported');
  const spec: ResizeAxisSpec = {
    mode: getStringAttr(node.attrs.mode, 'nearest'),
    coord,
    nearest: getStringAttr(node.attrs.nearest_mode, 'round_prefer_floor'),
    cubicA: getNumberAttr(node.attrs.cubic_coeff_a, -0.75),
    excludeOutside: getNumberAttr(node.attrs.exclude_outside, 0) === 1,
  };
  const xs = x!.shape;
  const r = xs.length;
  const scales = scalesT ? g.constValues(scalesT) : undefined;
  let t = dy;
  for (let a = 0; a < r; a++) {
    const L = xs[a];
    const Lo = y.shape[a];
    // ONNX Runtime uses the given scale, or output/input as a float when sizes are given.
    const scale = scales && scales.length ? scales[a] : Math.fround(Lo / L);
    const m = resizeMatrix(L, Lo, scale, spec);
    if (L === Lo && isIdentity(m, L)) continue;
    const cur = t.shape;
    if (a === r - 1) {
      // [..., Lo] x [Lo, L]
      t = g.op1('MatMul', [t, floatConstant(g, [Lo, L], m, 'resize_m')], {}, 'resize_grad');
    } else if (a === r - 2) {
      // [L, Lo] x [..., Lo, W]
      t = g.op1('MatMul', [floatConstant(g, [L, Lo], transposeMatrix(m, Lo, L), 'resize_mt'), t], {}, 'resize_grad');
    } else {
      const perm = [...Array(r).keys()];
      [perm[a], perm[r - 1]] = [perm[r - 1], perm[a]];
      const moved = transpose(g, t, perm);
      const mm = g.op1('MatMul', [moved, floatConstant(g, [Lo, L], m, 'resize_m')], {}, 'resize_grad');
      t = transpose(g, mm, perm);
    }
    void cur;
  }
  return [t, undefined, undefined, undefined];
});

function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j];
  return out;
}
