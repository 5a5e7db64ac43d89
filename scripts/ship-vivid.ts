/**
 * Ships a classification-head run (docs/classification.md) as models/NAME.onnx with its model
 * card: evaluates it on the val split at 256x256 by the annealed mean (T 0.38, the default) and
 * by the mean, beside the shipped regression model of its domain and the gray baseline (PSNR,
 * SSIM, CIEDE2000, colorfulness and its gap to the truth, same run), and writes models/NAME.md.
 * A classification run was trained in two phases (head only, then all), each a run folder; a
 * both-head run (the regression network frozen, its new head alone) is one run: HEAD_RUN '-'.
 * TRAINED_ON (environment) replaces the run's `medcolor.trained_on` (a local path) with words;
 * DOMAIN_WORDS: the --words of scripts/describe-domain.ts in the card's Reproduce (run it after this).
 *
 * Usage: TRAINED_ON=TEXT npx tsx scripts/ship-vivid.ts NAME REGRESSION_MODEL VAL_DIR "LICENSE" HEAD_RUN|- ALL_RUN DATA_NAME
 */
import { copyFileSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { loadModel } from '../src/io/model-loader.js';
import { createModelMethod, readOnnxMetadata, type ModelMethodOptions } from '../src/methods/model.js';
import { evaluateFiles } from '../src/pipeline/evaluate-files.js';
import { renderTrainingCurves } from '../src/train/plot.js';

const [name, regression, valDir, license, headRun, allRun, dataName] = process.argv.slice(2);
if (!dataName) {
  console.error('usage: ship-vivid NAME REGRESSION_MODEL VAL_DIR LICENSE HEAD_RUN ALL_RUN DATA_NAME');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
// SHIP_DIR (environment): write there instead of models/ (to look before shipping).
const outDir = process.env.SHIP_DIR ?? join(root, 'models');
const dst = join(outDir, `${name}.onnx`);
copyFileSync(join(allRun, 'model.onnx'), dst + '.tmp');
if (process.env.TRAINED_ON) {
  const m = onnxProto.onnx.ModelProto.decode(readFileSync(dst + '.tmp'));
  for (const p of m.metadataProps ?? []) if (p.key === 'medcolor.trained_on') p.value = process.env.TRAINED_ON;
  writeFileSync(dst + '.tmp', onnxProto.onnx.ModelProto.encode(m).finish());
}
renameSync(dst + '.tmp', dst);
const meta = readOnnxMetadata(new Uint8Array(readFileSync(dst)));
if (meta['medcolor.name'] !== name) throw new Error(`the run's model is named ${meta['medcolor.name']}; train with --name ${name}`);
const files = readdirSync(valDir).filter((f) => /\.(jpe?g|png|tiff?)$/i.test(f)).sort().map((f) => join(valDir, f));

type Row = { psnr: number; ssim: number; deltaE2000: number; colorfulness: number; colorfulnessGap: number };
async function score(model: string, methodOptions: ModelMethodOptions = {}): Promise<{ mean: Row; gray: Row; truth: number }> {
  const s = await evaluateFiles(files, createModelMethod(await loadModel(model)), { evalSize: 256, methodOptions });
  const m = s.mean as unknown as Row, g = s.baseline.gray as unknown as Row;
  // colorfulness gap = |M(result) - M(truth)| per image; the truth's mean colorfulness is that of gray plus its gap.
  return { mean: m, gray: g, truth: g.colorfulness + g.colorfulnessGap };
}
const both = meta['medcolor.head'] === 'both';
const reg = await score(regression);
const annealed = await score(dst, both ? { decode: 'annealed-mean' } : {});
const mean = await score(dst, { decode: 'mean' });
const hot = await score(dst, { decode: 'annealed-mean', temperature: 0.2 });
const bothDefault = both ? await score(dst) : undefined;
const fmt = (label: string, r: Row) => `| ${label} | ${r.psnr.toFixed(2)} | ${r.ssim.toFixed(3)} | ${r.deltaE2000.toFixed(2)} | ${r.colorfulness.toFixed(1)} | ${r.colorfulnessGap.toFixed(1)} |`;
const log = (run: string) => readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'epoch');
const e1 = headRun === '-' ? [] : log(headRun), e2 = log(allRun);
const secs = (e: { seconds: number }[]) => e.length ? e[e.length - 1].seconds : 0;
const svg = renderTrainingCurves(e2, `medcolor training: ${name} (all parameters, after the head alone)`);
await sharp(Buffer.from(svg)).png().toFile(join(outDir, `${name}-curves.png`));
const training = JSON.parse(meta['medcolor.training'] ?? '{}');
const arch = JSON.parse(meta['medcolor.architecture'] ?? '{}');
const bins = JSON.parse(meta['medcolor.ab_bins']).length;
const mb = (statSync(dst).size / 1048576).toFixed(1);
const better = (a: number, b: number, hi: boolean) => (hi ? a > b : a < b);
const wins = [
  ['PSNR', annealed.mean.psnr, reg.mean.psnr, true], ['SSIM', annealed.mean.ssim, reg.mean.ssim, true],
  ['CIEDE2000', annealed.mean.deltaE2000, reg.mean.deltaE2000, false], ['colorfulness gap', annealed.mean.colorfulnessGap, reg.mean.colorfulnessGap, false],
] as const;
const card = both ? bothCard() : `# Model card: \`${name}\`

The classification-head colorizer of the ${dataName} domain (docs/classification.md, after Zhang et al., ECCV 2016):
a U-Net that predicts, for each pixel, a probability distribution over ${bins} quantized a*b* bins,
decoded by the annealed mean. Compared with the regression model \`${regression.replace(/^.*models\//, '').replace(/\.onnx$/, '')}\` of the same domain it gives
**more vivid** colors (closer to the truth's colorfulness) and a per-pixel **confidence** (from the
distribution's entropy), at the price of pixel fidelity: see the table. Use it with
\`medcolor colorize IMAGE --model ${name}\` (\`--temperature T\` for more or less vivid, \`--decode mean\` for calmer colors).

| | |
|---|---|
| file | \`models/${name}.onnx\` (${mb} MB, opset 17) |
| architecture | U-Net, base ${arch.base} filters, ${arch.depth} stride-2 downsamplings, global-context branch: ${arch.globalContext ? 'yes' : 'no'}, no BatchNorm (the layout of the exported model it started from); classification head: last decoder features average-pooled by ${training.classStride}, 1x1 convolution to ${bins} logits |
| input | \`L\`: float32 [N,1,H,W], L*/50-1, H and W divisible by ${2 ** arch.depth}; medcolor runs it at 256x256 |
| output | \`ab_logits\`: float32 [N,${bins},H/${training.classStride},W/${training.classStride}], logits over the bins listed in \`medcolor.ab_bins\` (\`medcolor.head\` = classification); decoded a*b* upsampled to the working size, then only the chroma to the input's size |
| training data | ${process.env.TRAINED_ON ?? meta['medcolor.trained_on']} |
| data license | ${license} |
| targets | soft encoding over the 5 nearest bins (Gaussian sigma 5), class rebalancing from the train split (lambda ${training.rebalanceLambda}, smoothing sigma ${training.rebalanceSigma}, mean weight 1) |
| settings | warm start from \`${regression.replace(/^.*\/models\//, 'models/')}\` (its encoder and decoder); phase 1: the new head alone (\`--train-only logits.\`), lr 0.003 constant, ${e1.length ? e1[e1.length - 1].step : 0} steps, ${(secs(e1) / 60).toFixed(1)} min; phase 2: all parameters, lr ${training.lr} (${training.schedule}, compressed to the time limit), ${training.steps} steps, ${(secs(e2) / 60).toFixed(1)} min, best epoch ${training.epochs}; batch ${training.batch}, random ${training.crop}x${training.crop} crops + flips, seed ${training.seed}; on this project's 2-core CPU machine shared with two other trainings |

## Validation: regression vs classification (${files.length} images of \`${valDir.replace(/^.*shared\//, 'shared/')}\`, each resized to 256x256; PSNR on 8-bit RGB)

| | PSNR (dB) | SSIM | CIEDE2000 | colorfulness | colorfulness gap |
|---|---|---|---|---|---|
${fmt(`${name}, annealed mean T 0.38 (default)`, annealed.mean)}
${fmt(`${name}, annealed mean T 0.2`, hot.mean)}
${fmt(`${name}, mean`, mean.mean)}
${fmt(`regression model (\`${regression.replace(/^.*models\//, '')}\`)`, reg.mean)}
${fmt('gray baseline (a*=b*=0)', reg.gray)}

The truth's mean colorfulness on these images: ${reg.truth.toFixed(1)}. Colorfulness: Hasler and Suesstrunk; gap: |M(result) - M(truth)| per image, averaged.

Against the regression model, the default decoding is better on ${wins.filter(([, a, b, hi]) => better(a, b, hi)).map((w) => w[0]).join(', ') || 'nothing'}` +
  `${wins.some(([, a, b, hi]) => !better(a, b, hi)) ? ` and worse on ${wins.filter(([, a, b, hi]) => !better(a, b, hi)).map((w) => w[0]).join(', ')}` : ''}. Choose the regression model for faithful
colors (lower error per pixel), this one for vivid colors and a confidence map.

Measured with \`npx tsx scripts/ship-vivid.ts\` (the same as \`medcolor eval ${valDir.replace(/^.*shared\//, '../shared/')} --model ${name} --size 256 [--decode mean | --temperature 0.2]\`
and \`--model ${regression.replace(/^.*models\//, '').replace(/\.onnx$/, '')}\`).

## Training curve (phase 2)

![training and validation curves](${name}-curves.png)

| phase | epoch | train loss (weighted cross-entropy) | val PSNR | val SSIM | val dE2000 |
|---|---|---|---|---|---|
${[...e1.map((e) => ['head', e] as const), ...e2.map((e) => ['all', e] as const)].map(([p, e]) => `| ${p} | ${e.epoch} | ${e.trainLoss.toFixed(4)} | ${e.psnr.toFixed(2)} | ${e.ssim.toFixed(3)} | ${e.deltaE2000.toFixed(2)} |`).join('\n')}

(Validation in training: the first 24 records of the val split, annealed mean.)

## Reproduce

    medcolor prepare ${valDir.replace(/\/val$/, '').replace(/^.*shared\//, '../shared/')} -o data/${dataName} --size 256 --fit fill
    medcolor train --data data/${dataName} -o runs/${name}-head --head classification --init ${regression.replace(/^.*\/models\//, 'models/')} --base ${arch.base} --depth ${arch.depth} --train-only logits. --lr 0.003 --schedule constant --warmup 5 --steps-per-epoch 15 --val-limit 24 --max-minutes ${Math.round(secs(e1) / 60)} --epochs 1000 --patience 1000 --name ${name}
    medcolor train --data data/${dataName} -o runs/${name} --head classification --init runs/${name}-head/best.ckpt --no-batch-norm --base ${arch.base} --depth ${arch.depth} --lr ${training.lr} --warmup 5 --steps-per-epoch 20 --val-limit 24 --max-minutes ${Math.round(secs(e2) / 60)} --epochs 1000 --patience 1000 --name ${name}
    npx tsx scripts/describe-domain.ts models/${name}.onnx --data data/${dataName} --words "${process.env.DOMAIN_WORDS ?? meta['medcolor.trained_on']}"

(The last line writes the out-of-domain description, \`medcolor.domain\`: docs/trust.md.)

## Limits

Trained for minutes on a 2-core CPU on one public data set; colors are a plausible rendering, not a
measurement, and vivid is not the same as right: the per-pixel error is larger than the regression
model's. The confidence says where the model's distribution is spread out; it is not a calibrated
probability. The model never changes the input's lightness. Not for diagnosis.
`;
function bothCard(): string {
  const d = bothDefault!.mean;
  return `# Model card: \`${name}\`

One network with both heads (docs/classification.md): the shipped regression model \`${regression.replace(/^.*models\//, '').replace(/\.onnx$/, '')}\`, unchanged
(its weights frozen), plus a classification head (after Zhang et al., ECCV 2016) trained on its last decoder
features: logits over ${bins} quantized a*b* bins at half resolution. By default medcolor uses the **regression
output** (the same colors as \`${regression.replace(/^.*models\//, '').replace(/\.onnx$/, '')}\`) and gives a per-pixel **confidence** from the
entropy of the classification head's distribution; \`--decode annealed-mean\` (or \`mean\`) colors from the
distribution instead.

| | |
|---|---|
| file | \`models/${name}.onnx\` (${mb} MB, opset 17) |
| architecture | U-Net, base ${arch.base} filters, ${arch.depth} stride-2 downsamplings, global-context branch: ${arch.globalContext ? 'yes' : 'no'}, no BatchNorm (the exported layout); regression head (tanh 1x1 convolution) and classification head (features average-pooled by ${training.classStride}, 1x1 convolution to ${bins} logits) |
| input | \`L\`: float32 [N,1,H,W], L*/50-1, H and W divisible by ${2 ** arch.depth}; medcolor runs it at 256x256 |
| outputs | \`ab\`: float32 [N,2,H,W], a*b* / 110; \`ab_logits\`: float32 [N,${bins},H/${training.classStride},W/${training.classStride}] over the bins of \`medcolor.ab_bins\` (\`medcolor.head\` = both) |
| training data | ${process.env.TRAINED_ON ?? meta['medcolor.trained_on']} |
| data license | ${license} |
| targets | soft encoding over the 5 nearest bins (Gaussian sigma 5), class rebalancing from the train split (lambda ${training.rebalanceLambda}, smoothing sigma ${training.rebalanceSigma}, mean weight 1) |
| settings | warm start from \`${regression.replace(/^.*\/models\//, 'models/')}\`; only the new head trained (\`--train-only logits.\`), lr ${training.lr} (${training.schedule}), ${training.steps} steps, ${(secs(e2) / 60).toFixed(1)} min, best epoch ${training.epochs}; batch ${training.batch}, random ${training.crop}x${training.crop} crops + flips, seed ${training.seed} |

## Validation (${files.length} images of \`${valDir.replace(/^.*shared\//, 'shared/')}\`, 256x256; PSNR on 8-bit RGB)

| | PSNR (dB) | SSIM | CIEDE2000 | colorfulness | colorfulness gap |
|---|---|---|---|---|---|
${fmt(`${name}, regression output (default)`, d)}
${fmt(`${name}, --decode annealed-mean (T 0.38)`, annealed.mean)}
${fmt(`${name}, --decode mean`, mean.mean)}
${fmt(`regression model (\`${regression.replace(/^.*models\//, '')}\`)`, reg.mean)}
${fmt('gray baseline (a*=b*=0)', reg.gray)}

The truth's mean colorfulness on these images: ${reg.truth.toFixed(1)}. Colorfulness: Hasler and Suesstrunk; gap: |M(result) - M(truth)| per image, averaged.

Measured with \`npx tsx scripts/ship-vivid.ts\` (the same as \`medcolor eval ${valDir.replace(/^.*shared\//, '../shared/')} --model ${name} --size 256 [--decode annealed-mean | --decode mean]\`).

## Reproduce

    medcolor prepare ${valDir.replace(/\/val$/, '').replace(/^.*shared\//, '../shared/')} -o data/${dataName} --size 256 --fit fill
    medcolor train --data data/${dataName} -o runs/${name} --head both --init ${regression.replace(/^.*\/models\//, 'models/')} --base ${arch.base} --depth ${arch.depth} --train-only logits. --lr ${training.lr} --warmup 5 --steps-per-epoch 15 --val-limit 24 --max-minutes ${Math.round(secs(e2) / 60)} --epochs 1000 --patience 1000 --name ${name}
    npx tsx scripts/describe-domain.ts models/${name}.onnx --data data/${dataName} --words "${process.env.DOMAIN_WORDS ?? meta['medcolor.trained_on']}"

(The last line writes the out-of-domain description, \`medcolor.domain\`: docs/trust.md.)

## Limits

Trained for minutes on a 2-core CPU on one public data set; colors are a plausible rendering, not a
measurement. The confidence says where the classification head's distribution is spread out; it is not a
calibrated probability. The model never changes the input's lightness. Not for diagnosis.
`;
}
writeFileSync(join(outDir, `${name}.md.tmp`), card);
renameSync(join(outDir, `${name}.md.tmp`), join(outDir, `${name}.md`));
console.log(JSON.stringify({ name, bothDefault: bothDefault?.mean, regression: reg.mean, annealed: annealed.mean, mean: mean.mean, hot: hot.mean, gray: reg.gray, truthColorfulness: reg.truth }));
