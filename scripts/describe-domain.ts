/**
 * Adds the `medcolor.domain` entry (models/domain.ts) to a model in place: the lightness and
 * texture statistics of the `train` split of a prepared dataset (`medcolor prepare`), with the
 * out-of-domain threshold calibrated on its `val` split. Several --data folders describe a
 * model trained on all of them. The file is replaced atomically.
 *
 *   npx tsx scripts/describe-domain.ts MODEL.onnx --data PREPARED_DIR [--data DIR2] [--words "TEXT"]
 *
 * --words: the training inputs in words for the warning (default: the model's medcolor.trained_on).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeOnnxMetadata } from '../src/io/model-metadata.js';
import { readOnnxMetadata } from '../src/methods/model.js';
import { META } from '../src/models/contract.js';
import { describePreparedDomain } from '../src/train/domain-data.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { data: { type: 'string', multiple: true }, words: { type: 'string' } },
});
const [model] = positionals;
if (!model || !values.data?.length || positionals.length !== 1) {
  console.error('usage: describe-domain MODEL.onnx --data PREPARED_DIR [--data DIR2] [--words "TEXT"]');
  process.exit(2);
}
const meta = readOnnxMetadata(new Uint8Array(readFileSync(model)));
const words = values.words ?? meta[META.trainedOn] ?? values.data.join(', ');
const domain = describePreparedDomain(values.data, words);
await writeOnnxMetadata(model, { [META.domain]: JSON.stringify(domain) });
const cal = domain.calibration!;
console.log(`${model}: ${META.domain} from ${domain.images} training images (${domain.prototypes.length} kept), ` +
  `threshold ${domain.threshold} (${cal.warned} of ${cal.images} val images above it): ${words}`);
