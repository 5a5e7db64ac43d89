/**
 * Adds what the model knows of its training data to a model in place, from a prepared dataset
 * (`medcolor prepare`): `medcolor.domain` (models/domain.ts: the lightness and texture
 * statistics of the `train` split, the out-of-domain threshold calibrated on its `val` split)
 * and `medcolor.confidence` (methods/error-table.ts: the model's mean error per bin of L*,
 * predicted chroma and mirrored-prediction spread on up to 64 `train` records, for its
 * confidence map). Several --data folders describe a model trained on all of them. The file is
 * replaced atomically.
 *
 *   npx tsx scripts/describe-domain.ts MODEL.onnx --data PREPARED_DIR [--data DIR2] [--words "TEXT"] [--images N]
 *
 * --words: the training inputs in words for the warning (default: the model's medcolor.trained_on).
 * --images: training records per folder for the error table (default 64).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadModel } from '../src/io/model-loader.js';
import { writeOnnxMetadata } from '../src/io/model-metadata.js';
import { readOnnxMetadata } from '../src/methods/model.js';
import { META } from '../src/models/contract.js';
import { describePreparedDomain } from '../src/train/domain-data.js';
import { fitErrorTable } from '../src/train/fit-error-table.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { data: { type: 'string', multiple: true }, words: { type: 'string' }, images: { type: 'string' } },
});
const [model] = positionals;
if (!model || !values.data?.length || positionals.length !== 1) {
  console.error('usage: describe-domain MODEL.onnx --data PREPARED_DIR [--data DIR2] [--words "TEXT"]');
  process.exit(2);
}
const meta = readOnnxMetadata(new Uint8Array(readFileSync(model)));
const words = values.words ?? meta[META.trainedOn] ?? values.data.join(', ');
const domain = describePreparedDomain(values.data, words);
const table = await fitErrorTable(await loadModel(model), values.data, values.images ? Number(values.images) : 64);
await writeOnnxMetadata(model, { [META.domain]: JSON.stringify(domain), [META.confidence]: JSON.stringify(table) });
const cal = domain.calibration!;
console.log(`${model}: ${META.domain} from ${domain.images} training images (${domain.prototypes.length} kept), ` +
  `threshold ${domain.threshold} (${cal.warned} of ${cal.images} val images above it): ${words}; ` +
  `${META.confidence} from ${table.images} training images (mean CIEDE2000 ${table.overall})`);
