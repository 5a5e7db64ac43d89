/**
 * The WebAssembly row kernel of the recombination (wasm/recombine-row.ts, carried by
 * recombine-row-wasm.ts), instantiated once and laid out for a row width: typed-array views of
 * its row buffers, which the host fills and reads. Browser-safe (the bytes are in a module).
 */
import { srgb8Tables } from './lab.js';
import { RECOMBINE_ROW_WASM } from './recombine-row-wasm.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  layout(thresholds: number, bins: number, L: number, ab: number, rgb: number, queue: number): void;
  recombineRow(width: number, top: number, bot: number, wy: number): number;
}

/** The kernel laid out for rows of `width` pixels: its buffers, and one row's run. */
export interface RowKernel {
  width: number;
  /** The two source rows of interleaved a*b*, interpolated along x (double, 2 per column). */
  top: Float64Array;
  bot: Float64Array;
  /** The row's L*. */
  L: Float32Array;
  /** The row's a*b* (interleaved): written by `run` when it interpolates, else read; fitted in place. */
  ab: Float32Array;
  /** The row's 8-bit sRGB, written by `run`. */
  rgb: Uint8Array;
  /**
   * One row: a*b* from `top`/`bot` (which of the two views is which; weight wy) or, with top
   * null, from `ab`; the gamut fit where needed; the sRGB codes. Returns how many pixels went
   * through the fit (outside the gamut, or L* outside 0..100).
   */
  run(top: Float64Array | null, bot: Float64Array | null, wy: number): number;
}

let kernel: KernelExports | undefined;
let laidOut: RowKernel | undefined;

function instantiate(): KernelExports {
  const bytes = Uint8Array.from(atob(RECOMBINE_ROW_WASM), (c) => c.charCodeAt(0));
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as KernelExports;
}

/**
 * The kernel laid out for rows of `width` pixels. The views stay valid until it is asked for
 * another width (one layout at a time, reused while the width is the same).
 *
 * @example
 * const k = rowKernel(2048);
 * k.L.set(L.subarray(row, row + 2048));
 */
export function rowKernel(width: number): RowKernel {
  if (laidOut && laidOut.width === width) return laidOut;
  const k = (kernel ??= instantiate());
  const { thresholds, bins } = srgb8Tables();
  // Byte offsets: tables, then the row buffers, each 8-byte aligned.
  const align = (n: number) => Math.ceil(n / 8) * 8;
  const tOff = 0, binOff = tOff + thresholds.byteLength;
  const topOff = align(binOff + bins.byteLength), botOff = topOff + 16 * width;
  const lOff = botOff + 16 * width, abOff = align(lOff + 4 * width), rgbOff = abOff + 8 * width;
  const queueOff = align(rgbOff + 3 * width), end = queueOff + 4 * width;
  const pages = Math.ceil(end / 65536) - k.memory.buffer.byteLength / 65536;
  if (pages > 0) k.memory.grow(pages);
  const buf = k.memory.buffer;
  new Float64Array(buf, tOff, thresholds.length).set(thresholds);
  new Uint8Array(buf, binOff, bins.length).set(bins);
  k.layout(tOff, binOff, lOff, abOff, rgbOff, queueOff);
  laidOut = {
    width,
    top: new Float64Array(buf, topOff, 2 * width),
    bot: new Float64Array(buf, botOff, 2 * width),
    L: new Float32Array(buf, lOff, width),
    ab: new Float32Array(buf, abOff, 2 * width),
    rgb: new Uint8Array(buf, rgbOff, 3 * width),
    run: (top, bot, wy) => k.recombineRow(width, top ? top.byteOffset : 0, bot ? bot.byteOffset : 0, wy),
  };
  return laidOut;
}
