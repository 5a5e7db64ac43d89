/**
 * Domain descriptors from data on disk (Node): the features (models/domain.ts) of a prepared
 * dataset's records or of input files as the pipeline would see them, and the descriptor of a
 * prepared dataset (statistics of its `train` split, threshold calibrated on its `val` split).
 */
import { readGrayInput } from '../io/read-any.js';
import { resizeBilinear } from '../image/resize.js';
import { toDisplayL } from '../pipeline/colorize.js';
import { computeDomainFeatures, describeDomain, type DomainDescriptor } from '../models/domain.js';
import { DEFAULT_INPUT_SIZE } from '../models/contract.js';
import { openDataset } from './dataset.js';

/**
 * Features of the first `limit` records (default all) of a split of a prepared dataset.
 *
 * @example
 * const f = readDatasetFeatures('.data/fundus-drive', 'val');
 */
export function readDatasetFeatures(dir: string, split: string, limit = Infinity): number[][] {
  const ds = openDataset(dir);
  try {
    const n = Math.min(limit, ds.splits[split]?.count ?? 0);
    const out: number[][] = [];
    for (let i = 0; i < n; i++) out.push(computeDomainFeatures(ds.read(split, i).L, ds.size, ds.size));
    return out;
  } finally {
    ds.close();
  }
}

/**
 * Features of an input file's frames as a model would receive them: display L* (the file's own
 * window) resized to `size` x `size`. `frame` picks one DICOM frame or NIfTI slice ('middle' = the
 * middle one, default).
 */
export async function readFileFeatures(file: string, size = DEFAULT_INPUT_SIZE, frame: 'middle' | 'all' = 'middle'): Promise<number[][]> {
  const input = await readGrayInput(file);
  const frames = frame === 'all' ? input.frames : [input.frames[input.frames.length >> 1]];
  return frames.map((g) => {
    const L = toDisplayL(g);
    return computeDomainFeatures(resizeBilinear(L.data, L.width, L.height, 1, size, size), size, size);
  });
}

/**
 * The domain descriptor of a prepared dataset: feature statistics of its `train` split, the
 * warning threshold set on its `val` split (or on `train` when it has no val records).
 *
 * @example
 * const d = describePreparedDomain('.data/blood-bccd', 'stained blood-smear microscopy (BCCD)');
 */
export function describePreparedDomain(dir: string | string[], words: string): DomainDescriptor {
  const dirs = Array.isArray(dir) ? dir : [dir];
  const train = dirs.flatMap((d) => readDatasetFeatures(d, 'train'));
  const val = dirs.flatMap((d) => readDatasetFeatures(d, 'val'));
  return describeDomain(train, { words, calibration: val });
}
