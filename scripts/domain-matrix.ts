/**
 * The out-of-domain matrix: for each shipped model with `medcolor.domain`, the share of images of
 * each domain that warn WARN_OUT_OF_DOMAIN. Color domains: the val splits of the prepared datasets
 * (their L*, 256x256, as `medcolor eval`); gray domains: every file of ../shared/data/gray,
 * ../shared/data/dicom (the middle frame) and ../shared/data/nifti (the middle slice), read
 * as `medcolor colorize` reads them and resized to the working size. Prints a markdown table.
 *
 *   npx tsx scripts/domain-matrix.ts PREPARED_ROOT [SHARED_DATA] [--json FILE]
 *   PREPARED_ROOT holds endoscopy-kvasir/, blood-bccd/, fundus-drive/, natural/ (medcolor prepare)
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/io/atomic.js';
import { getModelsDir, listShippedModels, loadModel } from '../src/io/model-loader.js';
import { domainDistance } from '../src/models/domain.js';
import { readDatasetFeatures, readFileFeatures } from '../src/train/domain-data.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { json: { type: 'string' } } });
const [prepared, shared = resolve(import.meta.dirname, '../../shared/data')] = positionals;
if (!prepared) {
  console.error('usage: domain-matrix PREPARED_ROOT [SHARED_DATA]');
  process.exit(2);
}
const COLOR = ['endoscopy-kvasir', 'blood-bccd', 'fundus-drive', 'natural'];
const GRAY = ['gray', 'dicom', 'nifti'];
const feats: Record<string, number[][]> = {};
for (const d of COLOR) feats[d] = readDatasetFeatures(join(prepared, d), 'val');
function walk(p: string, out: string[] = []): string[] {
  for (const f of readdirSync(p).sort()) {
    const q = join(p, f);
    if (statSync(q).isDirectory()) walk(q, out);
    else if (!/\.(txt|csv|md|json|py)$/i.test(f) && !f.startsWith('.')) out.push(q);
  }
  return out;
}
for (const g of GRAY) {
  feats[g] = [];
  for (const file of walk(join(shared, g))) {
    try {
      feats[g].push(...(await readFileFeatures(file)));
    } catch {
      // not an image medcolor reads (a DICOMDIR, an SR): not part of the domain
    }
  }
}
const cols = [...COLOR, ...GRAY];
console.log(`| model \\ images | ${cols.map((c) => `${c} (${feats[c].length})`).join(' | ')} |`);
console.log(`|---|${cols.map(() => '---:').join('|')}|`);
const matrix: Record<string, Record<string, { images: number; warned: number }>> = {};
for (const name of listShippedModels(getModelsDir())) {
  const model = await loadModel(name);
  if (!model.domain) continue;
  matrix[name] = {};
  const cells = cols.map((c) => {
    const warned = feats[c].filter((f) => domainDistance(model.domain!, f) > model.domain!.threshold).length;
    matrix[name][c] = { images: feats[c].length, warned };
    return `${Math.round((warned / feats[c].length) * 100)}%`;
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
if (values.json) await writeFileAtomic(values.json, JSON.stringify(matrix, null, 1));
