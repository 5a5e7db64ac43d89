// AssemblyScript source of the WebAssembly row kernel of color/recombine.ts; compiled by
// scripts/build-wasm.ts into src/color/recombine-row-wasm.ts (committed; a test compiles it
// again and compares). Not TypeScript: `f64`, `load<T>` and `store<T>` are AssemblyScript's.
//
// One output row of the recombination: a*b* (bilinear from two x-interpolated source rows, or
// given), the gamut test at constant L*, and CIELAB -> 8-bit sRGB for the pixels inside, with the
// same float64 operations in the same order as recombine.ts's JavaScript and color/lab.ts (so the
// same bits). The pixels outside the gamut are fitted as color/gamut.ts's fitChromaAt fits them
// (the same bisection, the same operations) and converted as recombine.ts's finishPixel does.
//
// Memory (byte offsets, set by the host with `layout`): the sRGB code thresholds (257 f64) and
// bins (4097 u8) of color/lab.ts's linearToSrgb8; the two source rows (f64, 2 per column); the
// row's L* (f32); its a*b* (f32, 2 per column: written here when interpolating, and where the
// fit scales them); its sRGB codes (u8, 3 per column); the columns waiting for the fit (i32).

const LAB_EPS: f64 = 216.0 / 24389.0;
const KAPPA: f64 = 24389.0 / 27.0;
const FIT_EPS: f64 = 1e-5;
const XN: f64 = 0.95047;
const ZN: f64 = 1.08883;
const M0: f64 = 3.2404542, M1: f64 = -1.5371385, M2: f64 = -0.4985314;
const M3: f64 = -0.969266, M4: f64 = 1.8760108, M5: f64 = 0.041556;
const M6: f64 = 0.0556434, M7: f64 = -0.2040259, M8: f64 = 1.0572252;
const SRGB8_BINS: f64 = 4096;
// color/gamut.ts's first bracket of the bisection.
const NEAR: f64 = 0.97;
const LO: f64 = -FIT_EPS, HI: f64 = 1 + FIT_EPS;

let thresholds: usize = 0;
let bins: usize = 0;
let lRow: usize = 0;
let abRow: usize = 0;
let rgbRow: usize = 0;
let queue: usize = 0;

/** Where the tables and the row buffers are (byte offsets into this module's memory). */
export function layout(t: usize, b: usize, l: usize, ab: usize, rgb: usize, q: usize): void {
  thresholds = t;
  bins = b;
  lRow = l;
  abRow = ab;
  rgbRow = rgb;
  queue = q;
}

/** color/lab.ts's linearToSrgb8: the code at the start of v's bin plus one comparison. */
// @ts-ignore: AssemblyScript decorator
@inline function srgb8(v: f64): u32 {
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  const k = <u32>load<u8>(bins + <usize>(<i32>(v * SRGB8_BINS)));
  return v >= load<f64>(thresholds + ((<usize>k + 1) << 3)) ? k + 1 : k;
}

/** gamut.ts's insideAb: whether (L*, a*, b*) is inside sRGB, L* given by fy and Y's share of R, G, B. */
function insideAb(fy: f64, ry: f64, gy: f64, by: f64, a: f64, b: f64): bool {
  const fx = fy + a / 500, fz = fy - b / 200;
  const fx3 = fx * fx * fx, fz3 = fz * fz * fz;
  const x = (fx3 > LAB_EPS ? fx3 : (116 * fx - 16) / KAPPA) * XN;
  const z = (fz3 > LAB_EPS ? fz3 : (116 * fz - 16) / KAPPA) * ZN;
  const r = M0 * x + ry + M2 * z;
  if (r < LO || r > HI) return false;
  const g = M3 * x + gy + M5 * z;
  if (g < LO || g > HI) return false;
  const bl = M6 * x + by + M8 * z;
  return bl >= LO && bl <= HI;
}

/** gamut.ts's scaleInside: the largest s in [0, 1] (to 1/1000 or better) with (L*, s a*, s b*) inside. */
function scaleInside(fy: f64, ry: f64, gy: f64, by: f64, a: f64, b: f64): f64 {
  if (insideAb(fy, ry, gy, by, a, b)) return 1;
  let lo: f64 = 0, hi: f64 = 1, steps = 10;
  if (insideAb(fy, ry, gy, by, a * NEAR, b * NEAR)) {
    lo = NEAR;
    steps = 5;
  } else hi = NEAR;
  for (let it = 0; it < steps; it++) {
    const mid = (lo + hi) / 2;
    if (insideAb(fy, ry, gy, by, a * mid, b * mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * gamut.ts's fitChromaAt after its bisection gave s: a*b* at p scaled by s and stored as float32,
 * stepped back while the stored values are outside (fy, ry, gy, by: the fit's L* terms).
 */
function applyScale(p: usize, s: f64, a: f64, b: f64, fy: f64, ry: f64, gy: f64, by: f64): void {
  if (s == 1) return;
  store<f32>(p, <f32>(a * s));
  store<f32>(p + 4, <f32>(b * s));
  // Storing as float32 may round just outside; step back until the stored values fit.
  while (s > 0 && !insideAb(fy, ry, gy, by, <f64>load<f32>(p), <f64>load<f32>(p + 4))) {
    s = max<f64>(0, s - 1.0 / 4096);
    store<f32>(p, <f32>(a * s));
    store<f32>(p + 4, <f32>(b * s));
  }
}

/** lab.ts's Lab -> 8-bit sRGB of the pixel of L* Lv whose a*b* are at p, into o. */
function writeCodes(Lv: f64, p: usize, o: usize): void {
  const A = <f64>load<f32>(p), B = <f64>load<f32>(p + 4);
  const fy = (Lv + 16) / 116;
  const fx = fy + A / 500;
  const fz = fy - B / 200;
  const fx3 = fx * fx * fx, fz3 = fz * fz * fz;
  const x = (fx3 > LAB_EPS ? fx3 : (116 * fx - 16) / KAPPA) * XN;
  const y = Lv > KAPPA * LAB_EPS ? fy * fy * fy : Lv / KAPPA;
  const z = (fz3 > LAB_EPS ? fz3 : (116 * fz - 16) / KAPPA) * ZN;
  store<u8>(o, srgb8(M0 * x + M1 * y + M2 * z));
  store<u8>(o + 1, srgb8(M3 * x + M4 * y + M5 * z));
  store<u8>(o + 2, srgb8(M6 * x + M7 * y + M8 * z));
}

/**
 * recombine.ts's finishPixel for the pixel whose a*b* are at p (f32 pair) and sRGB at o: gamut.ts's
 * fitChromaAt (L* clamped to 0..100 for the fit), then lab.ts's conversion at the pixel's own L*.
 */
function finishPixel(Lv: f64, p: usize, o: usize): void {
  const a = <f64>load<f32>(p), b = <f64>load<f32>(p + 4);
  if (!(a == 0 && b == 0)) {
    const Lc = Lv < 0 ? 0 : Lv > 100 ? 100 : Lv;
    const fy = (Lc + 16) / 116;
    const l = 116 * fy - 16;
    const y = l > KAPPA * LAB_EPS ? fy * fy * fy : l / KAPPA;
    const ry = M1 * y, gy = M4 * y, by = M7 * y;
    applyScale(p, scaleInside(fy, ry, gy, by, a, b), a, b, fy, ry, gy, by);
  }
  writeCodes(Lv, p, o);
}

/** insideAb in both lanes: all ones in a lane whose color is inside. */
function insideLanes(fy: v128, ry: v128, gy: v128, by: v128, a: v128, b: v128): v128 {
  const fx = f64x2.add(fy, f64x2.div(a, f64x2.splat(500)));
  const fz = f64x2.sub(fy, f64x2.div(b, f64x2.splat(200)));
  let x = f64x2.mul(f64x2.mul(fx, fx), fx), z = f64x2.mul(f64x2.mul(fz, fz), fz);
  const eps = f64x2.splat(LAB_EPS);
  const kx = f64x2.gt(x, eps), kz = f64x2.gt(z, eps);
  if (!i64x2.all_true(kx)) x = v128.bitselect(x, f64x2.div(f64x2.sub(f64x2.mul(f64x2.splat(116), fx), f64x2.splat(16)), f64x2.splat(KAPPA)), kx);
  if (!i64x2.all_true(kz)) z = v128.bitselect(z, f64x2.div(f64x2.sub(f64x2.mul(f64x2.splat(116), fz), f64x2.splat(16)), f64x2.splat(KAPPA)), kz);
  x = f64x2.mul(x, f64x2.splat(XN));
  z = f64x2.mul(z, f64x2.splat(ZN));
  const lo = f64x2.splat(LO), hi = f64x2.splat(HI);
  const r = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(M0), x), ry), f64x2.mul(f64x2.splat(M2), z));
  const g = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(M3), x), gy), f64x2.mul(f64x2.splat(M5), z));
  const bl = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(M6), x), by), f64x2.mul(f64x2.splat(M8), z));
  // As insideAb's early returns (NaN passes the r and g tests and fails the last).
  const out = v128.or(v128.or(f64x2.lt(r, lo), f64x2.gt(r, hi)), v128.or(f64x2.lt(g, lo), f64x2.gt(g, hi)));
  return v128.andnot(v128.and(f64x2.ge(bl, lo), f64x2.le(bl, hi)), out);
}

/**
 * finishPixel for two pixels at once (columns x0, x1): their bisections run in the two lanes,
 * each lane taking exactly the steps scaleInside takes; the rest pixel by pixel.
 */
function finishPair(x0: i32, x1: i32): void {
  const p0 = abRow + (<usize>x0 << 3), p1 = abRow + (<usize>x1 << 3);
  const o0 = rgbRow + <usize>x0 * 3, o1 = rgbRow + <usize>x1 * 3;
  const L0 = <f64>load<f32>(lRow + (<usize>x0 << 2)), L1 = <f64>load<f32>(lRow + (<usize>x1 << 2));
  const a0 = <f64>load<f32>(p0), b0 = <f64>load<f32>(p0 + 4), a1 = <f64>load<f32>(p1), b1 = <f64>load<f32>(p1 + 4);
  if ((a0 == 0 && b0 == 0) || (a1 == 0 && b1 == 0)) {
    finishPixel(L0, p0, o0);
    finishPixel(L1, p1, o1);
    return;
  }
  const zero = f64x2.splat(0), c100 = f64x2.splat(100);
  const Lv = f64x2.replace_lane(f64x2.splat(L0), 1, L1);
  const Lc = v128.bitselect(zero, v128.bitselect(c100, Lv, f64x2.gt(Lv, c100)), f64x2.lt(Lv, zero));
  const fy = f64x2.div(f64x2.add(Lc, f64x2.splat(16)), f64x2.splat(116));
  const l = f64x2.sub(f64x2.mul(f64x2.splat(116), fy), f64x2.splat(16));
  const y = v128.bitselect(f64x2.mul(f64x2.mul(fy, fy), fy), f64x2.div(l, f64x2.splat(KAPPA)), f64x2.gt(l, f64x2.splat(KAPPA * LAB_EPS)));
  const ry = f64x2.mul(f64x2.splat(M1), y), gy = f64x2.mul(f64x2.splat(M4), y), by = f64x2.mul(f64x2.splat(M7), y);
  const av = f64x2.replace_lane(f64x2.splat(a0), 1, a1), bv = f64x2.replace_lane(f64x2.splat(b0), 1, b1);
  const one = f64x2.splat(1), near = f64x2.splat(NEAR);
  const atOne = insideLanes(fy, ry, gy, by, av, bv);
  let s = one;
  if (!i64x2.all_true(atOne)) {
    const atNear = insideLanes(fy, ry, gy, by, f64x2.mul(av, near), f64x2.mul(bv, near));
    let lo = v128.bitselect(near, zero, atNear), hi = v128.bitselect(one, near, atNear);
    // A lane inside at NEAR takes 5 steps, the other 10; a lane inside at 1 takes none.
    const five = v128.andnot(atNear, atOne), ten = v128.not(v128.or(atNear, atOne));
    const steps = i64x2.all_true(v128.or(atNear, atOne)) ? 5 : 10;
    for (let it = 0; it < steps; it++) {
      const active = it < 5 ? v128.or(five, ten) : ten;
      const mid = f64x2.div(f64x2.add(lo, hi), f64x2.splat(2));
      const inside = insideLanes(fy, ry, gy, by, f64x2.mul(av, mid), f64x2.mul(bv, mid));
      lo = v128.bitselect(mid, lo, v128.and(active, inside));
      hi = v128.bitselect(mid, hi, v128.andnot(active, inside));
    }
    s = v128.bitselect(one, lo, atOne);
  }
  applyScale(p0, f64x2.extract_lane(s, 0), a0, b0, f64x2.extract_lane(fy, 0), f64x2.extract_lane(ry, 0), f64x2.extract_lane(gy, 0), f64x2.extract_lane(by, 0));
  applyScale(p1, f64x2.extract_lane(s, 1), a1, b1, f64x2.extract_lane(fy, 1), f64x2.extract_lane(ry, 1), f64x2.extract_lane(gy, 1), f64x2.extract_lane(by, 1));
  writeCodes(L0, p0, o0);
  writeCodes(L1, p1, o1);
}

/**
 * One pixel whose a*b* are in the row buffer, alone: the gamut test and its codes, or, when it
 * is not inside (or L* is outside 0..100), its column queued at `n` for the fit. Returns the
 * queue's new length.
 */
function onePixel(x: i32, n: i32): i32 {
  const q = <usize>x << 3;
  const a = <f64>load<f32>(abRow + q), b = <f64>load<f32>(abRow + q + 4);
  const Lv = <f64>load<f32>(lRow + (<usize>x << 2));
  const fy = (Lv + 16) / 116;
  const yy = Lv > KAPPA * LAB_EPS ? fy * fy * fy : Lv / KAPPA;
  const fx = fy + a / 500, fz = fy - b / 200;
  const fx3 = fx * fx * fx, fz3 = fz * fz * fz;
  const X = (fx3 > LAB_EPS ? fx3 : (116 * fx - 16) / KAPPA) * XN;
  const Z = (fz3 > LAB_EPS ? fz3 : (116 * fz - 16) / KAPPA) * ZN;
  const r = M0 * X + M1 * yy + M2 * Z;
  const g = M3 * X + M4 * yy + M5 * Z;
  const bl = M6 * X + M7 * yy + M8 * Z;
  const o = rgbRow + <usize>x * 3;
  if (Lv >= 0 && Lv <= 100 && ((a == 0 && b == 0) || (r >= LO && r <= HI && g >= LO && g <= HI && bl >= LO && bl <= HI))) {
    store<u8>(o, srgb8(r));
    store<u8>(o + 1, srgb8(g));
    store<u8>(o + 2, srgb8(bl));
    return n;
  }
  store<i32>(queue + (<usize>n << 2), x);
  return n + 1;
}

/**
 * One row of `width` pixels; a*b* interpolated between the source rows at `top` and `bot` with
 * weight wy (rounded to float32 and stored in the a*b* row), or, with top = 0, read from the a*b*
 * row. Returns how many pixels were outside the gamut (or had L* outside 0..100) and went
 * through the fit.
 *
 * Two pixels at a time in the two lanes of f64x2 (the same operations per lane as onePixel); a
 * pair with a pixel that is not plainly inside (outside the gamut, L* outside 8..100 or a cube
 * below CIELAB's knee) goes through onePixel, pixel by pixel, which queues those to fit; the
 * queue is fitted after the row, two pixels at a time (finishPair).
 */
export function recombineRow(width: i32, top: usize, bot: usize, wy: f64): i32 {
  let n = 0; // pixels queued for the fit
  const wyv = f64x2.splat(wy);
  const c16 = f64x2.splat(16), c116 = f64x2.splat(116), c500 = f64x2.splat(500), c200 = f64x2.splat(200);
  const eps = f64x2.splat(LAB_EPS), knee = f64x2.splat(KAPPA * LAB_EPS), c100 = f64x2.splat(100), zero = f64x2.splat(0);
  const lo = f64x2.splat(LO), hi = f64x2.splat(HI), xn = f64x2.splat(XN), zn = f64x2.splat(ZN);
  let x = 0;
  for (; x + 1 < width; x += 2) {
    const q = <usize>x << 3;
    let packed: v128; // a0 b0 a1 b1 as f32
    if (top) {
      const p = q << 1;
      const t0 = v128.load(top + p), t1 = v128.load(top + p + 16);
      const i0 = f64x2.add(t0, f64x2.mul(f64x2.sub(v128.load(bot + p), t0), wyv));
      const i1 = f64x2.add(t1, f64x2.mul(f64x2.sub(v128.load(bot + p + 16), t1), wyv));
      packed = i8x16.shuffle(f32x4.demote_f64x2_zero(i0), f32x4.demote_f64x2_zero(i1), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
      v128.store(abRow + q, packed);
    } else packed = v128.load(abRow + q);
    const av = f64x2.promote_low_f32x4(i8x16.shuffle(packed, packed, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11));
    const bv = f64x2.promote_low_f32x4(i8x16.shuffle(packed, packed, 4, 5, 6, 7, 12, 13, 14, 15, 4, 5, 6, 7, 12, 13, 14, 15));
    const Lv = f64x2.promote_low_f32x4(v128.load64_zero(lRow + (<usize>x << 2)));
    const fy = f64x2.div(f64x2.add(Lv, c16), c116);
    const fx = f64x2.add(fy, f64x2.div(av, c500));
    const fz = f64x2.sub(fy, f64x2.div(bv, c200));
    const fx3 = f64x2.mul(f64x2.mul(fx, fx), fx), fz3 = f64x2.mul(f64x2.mul(fz, fz), fz);
    const plain = v128.and(v128.and(f64x2.gt(fx3, eps), f64x2.gt(fz3, eps)), v128.and(f64x2.gt(Lv, knee), f64x2.le(Lv, c100)));
    if (!i64x2.all_true(plain)) {
      n = onePixel(x + 1, onePixel(x, n));
      continue;
    }
    const yy = f64x2.mul(f64x2.mul(fy, fy), fy);
    const X = f64x2.mul(fx3, xn), Z = f64x2.mul(fz3, zn);
    const r = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(M0), X), f64x2.mul(f64x2.splat(M1), yy)), f64x2.mul(f64x2.splat(M2), Z));
    const g = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(M3), X), f64x2.mul(f64x2.splat(M4), yy)), f64x2.mul(f64x2.splat(M5), Z));
    const bl = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(M6), X), f64x2.mul(f64x2.splat(M7), yy)), f64x2.mul(f64x2.splat(M8), Z));
    const inRange = v128.and(
      v128.and(v128.and(f64x2.ge(r, lo), f64x2.le(r, hi)), v128.and(f64x2.ge(g, lo), f64x2.le(g, hi))),
      v128.and(f64x2.ge(bl, lo), f64x2.le(bl, hi)),
    );
    if (!i64x2.all_true(v128.or(inRange, v128.and(f64x2.eq(av, zero), f64x2.eq(bv, zero))))) {
      n = onePixel(x + 1, onePixel(x, n));
      continue;
    }
    const o = rgbRow + <usize>x * 3;
    store<u8>(o, srgb8(f64x2.extract_lane(r, 0)));
    store<u8>(o + 1, srgb8(f64x2.extract_lane(g, 0)));
    store<u8>(o + 2, srgb8(f64x2.extract_lane(bl, 0)));
    store<u8>(o + 3, srgb8(f64x2.extract_lane(r, 1)));
    store<u8>(o + 4, srgb8(f64x2.extract_lane(g, 1)));
    store<u8>(o + 5, srgb8(f64x2.extract_lane(bl, 1)));
  }
  if (x < width) {
    // The last pixel of an odd row.
    const q = <usize>x << 3;
    if (top) {
      const ta = load<f64>(top + (q << 1)), tb = load<f64>(top + (q << 1) + 8);
      store<f32>(abRow + q, <f32>(ta + (load<f64>(bot + (q << 1)) - ta) * wy));
      store<f32>(abRow + q + 4, <f32>(tb + (load<f64>(bot + (q << 1) + 8) - tb) * wy));
    }
    n = onePixel(x, n);
  }
  // The fit, two queued pixels at a time.
  let k = 0;
  for (; k + 1 < n; k += 2) finishPair(load<i32>(queue + (<usize>k << 2)), load<i32>(queue + (<usize>k << 2) + 4));
  if (k < n) {
    const x = load<i32>(queue + (<usize>k << 2));
    finishPixel(<f64>load<f32>(lRow + (<usize>x << 2)), abRow + (<usize>x << 3), rgbRow + <usize>x * 3);
  }
  return n;
}
