// AssemblyScript source of the WebAssembly row kernel of color/recombine.ts; compiled by
// scripts/build-wasm.ts into src/color/recombine-row-wasm.ts (committed; a test compiles it
// again and compares). Not TypeScript: `f64`, `load<T>` and `store<T>` are AssemblyScript's.
//
// One output row of the recombination: a*b* (bilinear from two x-interpolated source rows, or
// given), the gamut test at constant L*, and CIELAB -> 8-bit sRGB for the pixels inside, with the
// same float64 operations in the same order as recombine.ts's JavaScript and color/lab.ts (so the
// same bits). The pixels outside go to a list: the host fits them (color/gamut.ts).
//
// Memory (byte offsets, set by the host with `layout`): the sRGB code thresholds (257 f64) and
// bins (4097 u8) of color/lab.ts's linearToSrgb8; the two source rows (f64, 2 per column); the
// row's L* (f32); its a*b* (f32, 2 per column, written here when interpolating); its sRGB codes
// (u8, 3 per column); the columns of the pixels outside (i32).

const LAB_EPS: f64 = 216.0 / 24389.0;
const KAPPA: f64 = 24389.0 / 27.0;
const FIT_EPS: f64 = 1e-5;
const XN: f64 = 0.95047;
const ZN: f64 = 1.08883;
const M0: f64 = 3.2404542, M1: f64 = -1.5371385, M2: f64 = -0.4985314;
const M3: f64 = -0.969266, M4: f64 = 1.8760108, M5: f64 = 0.041556;
const M6: f64 = 0.0556434, M7: f64 = -0.2040259, M8: f64 = 1.0572252;
const SRGB8_BINS: f64 = 4096;

let thresholds: usize = 0;
let bins: usize = 0;
let lRow: usize = 0;
let abRow: usize = 0;
let rgbRow: usize = 0;
let outside: usize = 0;

/** Where the tables and the row buffers are (byte offsets into this module's memory). */
export function layout(t: usize, b: usize, l: usize, ab: usize, rgb: usize, out: usize): void {
  thresholds = t;
  bins = b;
  lRow = l;
  abRow = ab;
  rgbRow = rgb;
  outside = out;
}

/** color/lab.ts's linearToSrgb8: the code at the start of v's bin plus one comparison. */
// @ts-ignore: AssemblyScript decorator
@inline function srgb8(v: f64): u32 {
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  const k = <u32>load<u8>(bins + <usize>(<i32>(v * SRGB8_BINS)));
  return v >= load<f64>(thresholds + ((<usize>k + 1) << 3)) ? k + 1 : k;
}

/**
 * One row of `width` pixels; a*b* interpolated between the source rows at `top` and `bot` with
 * weight wy (rounded to float32 and stored in the a*b* row), or, with top = 0, read from the a*b*
 * row. Returns how many pixels are outside (their columns in the outside list, in order).
 */
export function recombineRow(width: i32, top: usize, bot: usize, wy: f64): i32 {
  let lastL: f64 = NaN, fy: f64 = 0, yy: f64 = 0;
  let count = 0;
  const lo = -FIT_EPS, hi = 1 + FIT_EPS;
  for (let x = 0; x < width; x++) {
    const q = <usize>x << 3;
    let a: f64, b: f64;
    if (top) {
      const ta = load<f64>(top + (q << 1)), tb = load<f64>(top + (q << 1) + 8);
      const fa = <f32>(ta + (load<f64>(bot + (q << 1)) - ta) * wy);
      const fb = <f32>(tb + (load<f64>(bot + (q << 1) + 8) - tb) * wy);
      store<f32>(abRow + q, fa);
      store<f32>(abRow + q + 4, fb);
      a = <f64>fa;
      b = <f64>fb;
    } else {
      a = <f64>load<f32>(abRow + q);
      b = <f64>load<f32>(abRow + q + 4);
    }
    const Lv = <f64>load<f32>(lRow + (<usize>x << 2));
    if (Lv != lastL) {
      lastL = Lv;
      fy = (Lv + 16) / 116;
      yy = Lv > KAPPA * LAB_EPS ? fy * fy * fy : Lv / KAPPA;
    }
    const fx = fy + a / 500, fz = fy - b / 200;
    const fx3 = fx * fx * fx, fz3 = fz * fz * fz;
    const X = (fx3 > LAB_EPS ? fx3 : (116 * fx - 16) / KAPPA) * XN;
    const Z = (fz3 > LAB_EPS ? fz3 : (116 * fz - 16) / KAPPA) * ZN;
    const r = M0 * X + M1 * yy + M2 * Z;
    const g = M3 * X + M4 * yy + M5 * Z;
    const bl = M6 * X + M7 * yy + M8 * Z;
    if (Lv >= 0 && Lv <= 100 && ((a == 0 && b == 0) || (r >= lo && r <= hi && g >= lo && g <= hi && bl >= lo && bl <= hi))) {
      const o = rgbRow + <usize>x * 3;
      store<u8>(o, srgb8(r));
      store<u8>(o + 1, srgb8(g));
      store<u8>(o + 2, srgb8(bl));
    } else {
      store<i32>(outside + (<usize>count << 2), x);
      count++;
    }
  }
  return count;
}
