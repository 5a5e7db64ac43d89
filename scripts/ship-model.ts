/**
 * Ships a trained run as a named model: copies RUN/model.onnx to models/NAME.onnx, evaluates it
 * on the val split at 256x256 beside the gray baseline (same run), and writes the model card
 * models/NAME.md (data, license, settings, training time, metrics table, curves).
 *
 * Usage: npx tsx scripts/ship-model.ts NAME RUN_DIR VAL_DIR "LICENSE TEXT" GRAY_README MEAN_README
 *   GRAY_README / MEAN_README: "PSNR/SSIM/dE" rows of shared/data/README.md for the table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { renderTrainingCurves } from '../src/train/plot.js';
import { readOnnxMetadata } from '../src/methods/model.js';
import { exportColorizer } from '../src/train/trainer.js';

const [name, run, valDir, license, grayRow, meanRow] = process.argv.slice(2);
if (!meanRow) {
  console.error('usage: ship-model NAME RUN_DIR VAL_DIR LICENSE GRAY_ROW MEAN_ROW');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const src = join(run, 'model.onnx');
const dst = join(root, 'models', `${name}.onnx`);
{
  // Re-export from the best checkpoint with the current exporter (symbolic batch size), keeping
  // the run's metadata.
  const runMeta = readOnnxMetadata(new Uint8Array(readFileSync(src)));
  const arch = JSON.parse(runMeta['medcolor.architecture'] ?? '{}');
  const cfg = { unet: { base: arch.base, depth: arch.depth, globalContext: arch.globalContext }, loss: (runMeta['medcolor.loss'] ?? 'mse') as 'mse' };
  const fresh = exportColorizer(join(run, 'best.ckpt'), cfg, Number(runMeta['medcolor.input_size'] ?? 256), runMeta);
  writeFileSync(dst + '.tmp', fresh);
  renameSync(dst + '.tmp', dst);
}
// The curve from the run's log (all sessions of a resumed run), losses on a log axis.
{
  const epochsLog = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'epoch');
  const svg = renderTrainingCurves(epochsLog, `medcolor training: ${name}`);
  await sharp(Buffer.from(svg)).png().toFile(join(root, 'models', `${name}-curves.png`));
}
const bytes = new Uint8Array(readFileSync(dst));
const meta = readOnnxMetadata(bytes);
const weights = (onnxProto.onnx.ModelProto.decode(bytes).graph?.initializer ?? []).filter((t) => t.dataType === 1).reduce((s, t) => s + (t.dims ?? []).reduce((a: number, d) => a * Number(d), 1), 0);
const training = JSON.parse(meta['medcolor.training'] ?? '{}');
const arch = JSON.parse(meta['medcolor.architecture'] ?? '{}');
const result = JSON.parse(readFileSync(`${run}.json`, 'utf8'));
// A run continued with --resume writes its result to RUN2.json: report the whole run.
let resumed = false;
if (existsSync(`${run}2.json`)) {
  const second = JSON.parse(readFileSync(`${run}2.json`, 'utf8'));
  resumed = true;
  result.seconds += second.seconds;
  result.steps = second.steps;
  result.epochsRun = second.epochsRun;
  result.stopped = second.stopped;
  result.best = second.best;
}
const evalJson = join(run, 'eval-val.json');
execFileSync(process.execPath, [join(root, 'bin', 'medcolor.js'), 'eval', valDir, '--model', dst, '--size', '256', '--json', evalJson, '--quiet'], { stdio: 'inherit' });
const ev = JSON.parse(readFileSync(evalJson, 'utf8'));
const m = ev.mean, gb = ev.baseline.gray;
const [gp, gs, gd] = grayRow.split('/').map(Number);
const [mp, ms, md] = meanRow.split('/').map(Number);
const epochs = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'epoch');
const mb = (statSync(dst).size / 1048576).toFixed(1);
/** Where the model stands against both baselines, metric by metric (higher PSNR/SSIM, lower dE are better). */
function verdict(): string {
  const rows: [string, number, number, number, boolean][] = [
    ['PSNR', m.psnr, Math.max(gb.psnr, mp), 0, true],
    ['SSIM', m.ssim, Math.max(gb.ssim, ms), 0, true],
    ['CIEDE2000', m.deltaE2000, Math.min(gb.deltaE2000, md), 0, false],
  ];
  const better = rows.filter(([, v, b, , hi]) => (hi ? v > b : v < b)).map((r) => r[0]);
  const worse = rows.filter(([, v, b, , hi]) => (hi ? v <= b : v >= b)).map((r) => r[0]);
  return `Against the better of the two baselines on each metric: better on ${better.join(', ') || 'none'}` +
    (worse.length ? `; **not better on ${worse.join(', ')}**.` : '.');
}
const card = `# Model card: \`${name}\`

A U-Net colorizer that predicts the CIELAB a*b* channels from L*; medcolor keeps the input's own L*
and only adds chroma. Use it with \`medcolor colorize IMAGE --model ${name}\`.

| | |
|---|---|
| file | \`models/${name}.onnx\` (${mb} MB, opset 17, BatchNorm folded) |
| architecture | U-Net, base ${arch.base} filters, ${arch.depth} stride-2 downsamplings, global-context branch: ${arch.globalContext ? 'yes' : 'no'}; ${weights.toLocaleString('en-US')} weights after folding |
| input | \`L\`: float32 [N,1,H,W], L*/50-1, H and W divisible by ${2 ** arch.depth}; medcolor runs it at 256x256 and upsamples only the chroma |
| output | \`ab\`: float32 [N,2,H,W] in [-1,1]; a*b* = ab x ${meta['medcolor.ab_scale']} |
| training data | ${meta['medcolor.trained_on']} |
| data license | ${license} |
| settings | loss ${training.loss}, optimizer ${training.optimizer}, lr ${training.lr} (${training.schedule}, compressed to the time limit), batch ${training.batch}, random ${training.crop}x${training.crop} crops + flips, seed ${training.seed} |
| training | ${result.steps} steps, ${result.epochsRun} epochs, ${(result.seconds / 60).toFixed(1)} min on this project's 2-core CPU machine (shared with other work), stopped: ${result.stopped}${resumed ? ' (trained in two sessions: the second resumed from the first\'s last checkpoint with `--resume`, a warm restart of the cosine schedule)' : ''}; best epoch ${result.best.epoch} |

${arch.base === 16 ? `Why narrower than the paper's 64 filters: training runs on a 2-core CPU within minutes, on a machine shared
with other work. Under that load the base-32 network trained at about 2 images/s and the base-16 one at 6 to 10
images/s, so base 16 with one more downsampling level (more context per pixel) saw several times more
images in the same time.` : `Width: base ${arch.base} (the paper uses 64), so that training fits in about 20 minutes on a 2-core CPU.`}${process.env.SHIP_NOTE ? '\n\n' + process.env.SHIP_NOTE : ''}

## Validation (${ev.n} images of \`${valDir.replace(/^.*shared\//, 'shared/')}\`, each resized to 256x256; PSNR on 8-bit RGB)

| | PSNR (dB) | SSIM | CIEDE2000 | colorfulness gap |
|---|---|---|---|---|
| ${name} model | ${m.psnr.toFixed(2)} | ${m.ssim.toFixed(3)} | ${m.deltaE2000.toFixed(2)} | ${m.colorfulnessGap.toFixed(1)} |
| gray baseline (a*=b*=0, same run) | ${gb.psnr.toFixed(2)} | ${gb.ssim.toFixed(3)} | ${gb.deltaE2000.toFixed(2)} | ${gb.colorfulnessGap.toFixed(1)} |
| gray baseline (shared/data/README.md) | ${gp.toFixed(2)} | ${gs.toFixed(3)} | ${gd.toFixed(1)} | |
| mean-chroma baseline (shared/data/README.md) | ${mp.toFixed(2)} | ${ms.toFixed(3)} | ${md.toFixed(1)} | |

${verdict()}

Measured with \`medcolor eval ${valDir.replace(/^.*shared\//, '../shared/')} --model ${name} --size 256\`.

## Training curve

![training and validation curves](${name}-curves.png)

| epoch | train loss | val loss | val PSNR | val SSIM | val dE2000 |
|---|---|---|---|---|---|
${epochs.map((e) => `| ${e.epoch} | ${e.trainLoss.toFixed(5)} | ${e.valLoss.toFixed(5)} | ${e.psnr.toFixed(2)} | ${e.ssim.toFixed(3)} | ${e.deltaE2000.toFixed(2)} |`).join('\n')}

(The validation in the training log scores against the stored 256x256 dataset records; the table above re-reads
the original files, as \`medcolor eval\` does.)

## Reproduce

    medcolor prepare ${valDir.replace(/\/val$/, '').replace(/^.*shared\//, '../shared/')} -o data/${name} --size 256 --fit fill
    medcolor train --data data/${name} -o runs/${name} --base ${arch.base} --depth ${arch.depth} --batch ${training.batch} --crop ${training.crop} --max-minutes ${Math.round(result.seconds / 60)} --name ${name}

## Limits

Trained on one public data set; colors are a plausible rendering learned from those images, not a measurement.
The model never changes the input's lightness, but its chroma can be wrong where the training data had no
similar structure. Not for diagnosis.
`;
writeFileSync(join(root, 'models', `${name}.md.tmp`), card);
renameSync(join(root, 'models', `${name}.md.tmp`), join(root, 'models', `${name}.md`));
console.log(`${name}: PSNR ${m.psnr.toFixed(2)} SSIM ${m.ssim.toFixed(3)} dE2000 ${m.deltaE2000.toFixed(2)} (gray ${gb.psnr.toFixed(2)}) -> models/${name}.onnx, models/${name}.md`);
