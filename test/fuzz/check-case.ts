/**
 * Runs one fuzz case through a reader and judges it: it must either decode to well-formed images
 * or fail with a MedcolorError whose code is not ERR_INTERNAL, within a time bound and a memory
 * bound. Memory is what the process holds more after the case than before, while the result is
 * still alive: ArrayBuffers (typed arrays, WebAssembly heaps) and resident size. A header that
 * claims 2^31 rows must be refused before the buffer is made; trying to make it ends as a
 * RangeError (a crash) or as growth beyond the bound.
 */
import { isMedcolorError } from '../../src/errors.js';
import type { FuzzCase } from './mutate.js';

export type Verdict = 'decoded' | 'refused' | 'crash' | 'internal' | 'slow' | 'huge-allocation' | 'bad-result';

export interface CaseOutcome {
  index: number;
  seed: string;
  mutations: string[];
  verdict: Verdict;
  code?: string;
  message?: string;
  ms: number;
  /** Growth of ArrayBuffer memory (or of resident size, whichever is larger) over the case, bytes. */
  memoryGrowth: number;
}

export interface CheckBounds {
  /** Time one case may take, ms. */
  timeMs: number;
  /** Memory growth allowed over one case, bytes. */
  maxMemoryGrowth: number;
}

/** Checks that every decoded image has positive integer sizes and a buffer of exactly that size. */
function checkResult(result: unknown): string | undefined {
  const images = Array.isArray(result) ? result : result && typeof result === 'object' && 'slices' in result ? (result as { slices: unknown[] }).slices : [result];
  if (images.length === 0) return 'decoded to no image';
  for (const img of images as { width: number; height: number; data: ArrayLike<number>; channels?: number }[]) {
    const { width, height } = img;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) return `image of size ${width}x${height}`;
    const channels = img.channels ?? (img.data.length === width * height * 3 ? 3 : 1);
    if (img.data.length !== width * height * channels) return `${width}x${height}x${channels} image with ${img.data.length} values`;
  }
  return undefined;
}

/**
 * Runs `read` on the case's bytes and returns the verdict.
 *
 * @example
 * const o = await checkCase(c, (bytes) => decodeDicom(bytes), { timeMs: 5000, maxMemoryGrowth: 2 ** 28 });
 */
export async function checkCase(c: FuzzCase, read: (bytes: Uint8Array, c: FuzzCase) => Promise<unknown>, bounds: CheckBounds): Promise<CaseOutcome> {
  const base = { index: c.index, seed: c.seed.name, mutations: c.mutations };
  const before = process.memoryUsage();
  const t0 = performance.now();
  let verdict: Verdict, code: string | undefined, message: string | undefined;
  let result: unknown;
  try {
    result = await read(c.bytes, c);
    const bad = checkResult(result);
    verdict = bad ? 'bad-result' : 'decoded';
    message = bad;
  } catch (e) {
    if (isMedcolorError(e)) {
      verdict = e.code === 'ERR_INTERNAL' ? 'internal' : 'refused';
      code = e.code;
      message = e.message;
    } else {
      verdict = 'crash';
      message = e instanceof Error ? `${e.name}: ${e.message}` : `non-Error thrown: ${String(e)}`;
    }
  }
  const ms = performance.now() - t0;
  const after = process.memoryUsage(); // the result is still referenced here
  result = undefined;
  const memoryGrowth = Math.max(0, after.arrayBuffers - before.arrayBuffers, after.rss - before.rss);
  if ((verdict === 'decoded' || verdict === 'refused') && memoryGrowth > bounds.maxMemoryGrowth) {
    message = `${verdict} but memory grew by ${(memoryGrowth / 2 ** 20).toFixed(0)} MiB${message ? ` (${message})` : ''}`;
    verdict = 'huge-allocation';
  } else if ((verdict === 'decoded' || verdict === 'refused') && ms > bounds.timeMs) {
    message = `${verdict} after ${ms.toFixed(0)} ms${message ? ` (${message})` : ''}`;
    verdict = 'slow';
  }
  return { ...base, verdict, code, message, ms, memoryGrowth };
}

/** True for the verdicts that are findings (bugs in a reader). */
export function isFinding(o: CaseOutcome): boolean {
  return o.verdict !== 'decoded' && o.verdict !== 'refused';
}
