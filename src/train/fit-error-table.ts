/**
 * Learns a model's error table (methods/error-table.ts) on a prepared dataset's `train` split
 * (Node): each record colorized at its own size with the mirrored runs, per-pixel CIEDE2000 of
 * the 8-bit sRGB result against the truth, binned by L*, predicted chroma and spread.
 */
import { deltaE2000Map } from '../color/ciede2000.js';
import { lAbToSrgb8, srgb8ToLab } from '../color/lab.js';
import { ErrorTableBuilder, type ErrorTable } from '../methods/error-table.js';
import { FLIPS, flipInterleavedAb, flipPlanar, predictionSpread } from '../methods/flip-confidence.js';
import { runColorizationModel, type ColorizationModel } from '../methods/model.js';
import { colorizeL } from '../pipeline/colorize.js';
import { createModelMethod } from '../methods/model.js';
import { openDataset } from './dataset.js';

/** Interleaves planar a* then b* (the dataset's layout) into a*, b* per pixel. */
export function interleaveAb(planar: Float32Array): Float32Array {
  const hw = planar.length / 2;
  const out = new Float32Array(planar.length);
  for (let p = 0; p < hw; p++) {
    out[2 * p] = planar[p];
    out[2 * p + 1] = planar[hw + p];
  }
  return out;
}

/**
 * The error table of `model` from up to `limit` records (default 64, evenly spaced) of the
 * `train` split of each dataset folder.
 *
 * @example
 * const table = await fitErrorTable(await loadModel('blood'), ['.data/blood-bccd']);
 */
export async function fitErrorTable(model: ColorizationModel, dirs: string[], limit = 64): Promise<ErrorTable> {
  const builder = new ErrorTableBuilder();
  const method = createModelMethod(model);
  for (const dir of dirs) {
    const ds = openDataset(dir);
    try {
      const count = ds.splits.train.count;
      const n = Math.min(limit, count);
      const s = ds.size, hw = s * s;
      for (let j = 0; j < n; j++) {
        const { L, ab } = ds.read('train', Math.floor((j * count) / n));
        const out = await colorizeL({ width: s, height: s, data: L }, method, { size: s });
        const mirrored = await runColorizationModel(model, FLIPS.map((f) => ({ width: s, height: s, L: flipPlanar(L, s, s, 1, f) as Float32Array })));
        const raw = (await runColorizationModel(model, [{ width: s, height: s, L }]))[0];
        const spread = predictionSpread([raw, ...mirrored.map((m, k) => flipInterleavedAb(m, s, s, FLIPS[k]))], hw);
        const error = deltaE2000Map(srgb8ToLab(out.rgb.data), srgb8ToLab(lAbToSrgb8(L, interleaveAb(ab))));
        builder.add(L, raw, spread, error);
      }
    } finally {
      ds.close();
    }
  }
  return builder.build();
}
