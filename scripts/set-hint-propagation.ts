/**
 * Sets how a shipped hint-taking model's hints are spread by default (metadata
 * `medcolor.hint_propagation`, contract.ts HintPropagation) and its K-sweep figures
 * (`medcolor.val_hints`) from a sweep measured with that setting; prints the card's table rows.
 *
 *   npx tsx src/cli/main.ts eval VAL --model NAME --size 256 --hints --hint-propagation MODE --json SWEEP.json
 *   npx tsx scripts/set-hint-propagation.ts --model NAME --mode MODE --sweep SWEEP.json
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeOnnxMetadata } from '../src/io/model-metadata.js';
import { HINT_PROPAGATIONS, META, type HintPropagation } from '../src/models/contract.js';
import type { HintSweepSummary } from '../src/pipeline/evaluate-hints.js';

const { values: a } = parseArgs({ options: { model: { type: 'string' }, mode: { type: 'string' }, sweep: { type: 'string' } } });
if (!a.model || !a.sweep || !HINT_PROPAGATIONS.includes(a.mode as HintPropagation)) {
  console.error(`usage: set-hint-propagation --model NAME --mode ${HINT_PROPAGATIONS.join('|')} --sweep SWEEP.json`);
  process.exit(2);
}
const sweep = JSON.parse(readFileSync(a.sweep, 'utf8')) as HintSweepSummary;
if (sweep.model !== a.model) throw new Error(`${a.sweep} is a sweep of model ${sweep.model}, not ${a.model}`);
const fmt = (m: { psnr: number; ssim: number; deltaE2000: number }) => `${m.psnr.toFixed(2)} / ${m.ssim.toFixed(3)} / ${m.deltaE2000.toFixed(2)}`;
const valHints = Object.fromEntries(sweep.rows.map((r) => [r.k, { psnr: +r.model.psnr.toFixed(2), ssim: +r.model.ssim.toFixed(4), deltaE2000: +r.model.deltaE2000.toFixed(2) }]));
const file = join(resolve(import.meta.dirname, '..'), 'models', `${a.model}.onnx`);
await writeOnnxMetadata(file, { [META.hintPropagation]: a.mode!, [META.valHints]: JSON.stringify(valHints) });
console.log(`${file}: ${META.hintPropagation} = ${a.mode}, ${META.valHints} from ${sweep.n} images`);
for (const r of sweep.rows) console.log(`| ${r.k} | ${fmt(r.model)} | ${r.k === 0 ? '(no hint: gray)' : r.scribble ? fmt(r.scribble) : ''} |`);
