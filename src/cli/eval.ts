/**
 * `medcolor eval DIR`: color images -> gray (L*) -> colorize -> compared with the originals,
 * beside the gray baseline, with optional JSON and HTML reports.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { extname } from 'node:path';
import { EVAL_EXTENSIONS, evaluateFiles, type EvalSummary } from '../pipeline/evaluate-files.js';
import type { EvalMetrics } from '../pipeline/evaluate.js';
import { srgb8ToAb } from '../color/lab.js';
import { simulateHints } from '../methods/hints.js';
import { getMethod } from '../methods/registry.js';
import { DEFAULT_HINT_COUNTS, evaluateHintSweep } from '../pipeline/evaluate-hints.js';
import { expandInputs } from '../io/expand-inputs.js';
import { createProgress, describeError, displayPath, EXIT, parseIntOption, usage } from './common.js';
import { addMethodOptions, resolveMethodOptions, type MethodCliOptions } from './method-options.js';

interface EvalCliOptions extends MethodCliOptions {
  strokes?: string;
  hints?: string | boolean;
  evalSize?: string;
  json?: string | boolean;
  report?: string;
  quiet?: boolean;
}

const fmt = (m: EvalMetrics) =>
  `${m.psnr.toFixed(2).padStart(7)} ${m.ssim.toFixed(3).padStart(6)} ${m.deltaE2000.toFixed(2).padStart(7)} ` +
  `${m.colorfulness.toFixed(2).padStart(8)} ${m.colorfulnessGap.toFixed(2).padStart(7)}`;

function printTable(s: EvalSummary): void {
  const lines = [
    `${s.n} images${s.size ? ` at ${s.size}x${s.size}` : ' at full resolution'}${s.failed.length ? `, ${s.failed.length} failed` : ''}`,
    `${''.padEnd(16)}    PSNR   SSIM  dE2000  colorful     gap`,
    `${(s.method + (s.model ? ` (${s.model})` : '')).slice(0, 16).padEnd(16)} ${fmt(s.mean)}`,
    `${'gray baseline'.padEnd(16)} ${fmt(s.baseline.gray)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** Registers `medcolor eval`. */
export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('evaluate a method on color images: make them gray, colorize, compare with the originals (PSNR, SSIM, CIEDE2000, colorfulness) beside the gray baseline')
    .argument('<dir...>', 'folders (searched recursively), files or globs of color images (PNG, JPEG, TIFF, WebP)')
    .option('--size <n>', 'resize every image to NxN first (the convention of the reference tables); default full resolution');
  addMethodOptions(cmd, false)
    .option('--json [file]', 'write the summary as JSON to a file, or to stdout without a file')
    .option('--report <file.html>', 'write an HTML report: gray input, result and truth side by side, with the table')
    .option('--strokes <k,...>', 'scribble without --scribbles: numbers of strokes simulated from the truth (Zhang et al. 2017 style hints)', '1,5,10,30,100')
    .option('--hints [k,...]', `a hint-taking --model with K simulated hints per image, beside scribble given the same hints (default ${DEFAULT_HINT_COUNTS.join(',')})`)
    .option('-q, --quiet', 'no progress bar')
    .action(async (inputs: string[], opts: EvalCliOptions & { size?: string }) => {
      const evalSize = opts.size !== undefined ? parseIntOption('--size', opts.size, 11, 16384) : undefined;
      const files: string[] = [];
      for (const item of expandInputs(inputs, { accept: (f) => EVAL_EXTENSIONS.includes(extname(f).toLowerCase()) })) {
        if (item.missing) usage(`no such file or folder: ${item.file}`);
        files.push(item.file);
      }
      if (files.length === 0) usage(`no color images (${EVAL_EXTENSIONS.join(', ')}) in ${inputs.join(' ')}`);
      const resolved = await resolveMethodOptions({ ...opts, size: undefined }, true);
      if (resolved.note && opts.json !== true) process.stderr.write(`medcolor eval: ${resolved.note}\n`);
      if (opts.hints !== undefined) {
        await runHintSweep(files, resolved, opts, evalSize);
        return;
      }
      // scribble without --scribbles: K strokes simulated from each image's truth (the rule of
      // simulateHints, methods/hints.ts), once per K of --strokes.
      const simulate = resolved.label === 'scribble' && resolved.methodOptions.strokes === undefined;
      const ks = simulate ? parseStrokeCounts(opts.strokes ?? '1,5,10,30,100') : [0];
      const byStrokes: { k: number; n: number; mean: EvalSummary['mean'] }[] = [];
      let summary: EvalSummary | undefined;
      for (const k of ks) {
        const progress = createProgress(Boolean(opts.quiet));
        progress.start(files.length);
        summary = await evaluateFiles(files, resolved.method, {
          evalSize,
          size: resolved.size,
          methodOptions: resolved.methodOptions,
          methodLabel: simulate ? `scribble K=${k}` : resolved.label,
          modelLabel: resolved.model,
          htmlReport: opts.report,
          truthOptions: simulate ? (truth, index) => ({ strokes: simulateHints(srgb8ToAb(truth.data), truth.width, truth.height, { count: k, seed: index + 1 }) }) : undefined,
          onImage(file, _r, error) {
            if (error) progress.log(`medcolor eval: ${displayPath(file)}: ${describeError(error)}`);
            progress.tick(displayPath(file));
          },
        });
        progress.stop();
        if (simulate) byStrokes.push({ k, n: summary.n, mean: summary.mean });
        if (opts.json !== true) printTable(summary);
      }
      const out = simulate ? { ...summary!, strokes: byStrokes } : summary!;
      const json = JSON.stringify(out, null, 1) + '\n';
      if (opts.json === true) process.stdout.write(json);
      else if (typeof opts.json === 'string') await writeFileAtomic(opts.json, json);
      summary = summary!;
      process.exitCode = summary.n === 0 ? EXIT.ALL_FAILED : summary.failed.length ? EXIT.SOME_FAILED : EXIT.OK;
    });
}

/** `--hints`: the library's sweep (pipeline/evaluate-hints.ts), printed as a table. */
async function runHintSweep(files: string[], resolved: Awaited<ReturnType<typeof resolveMethodOptions>>, opts: EvalCliOptions, evalSize?: number): Promise<void> {
  if (resolved.label !== 'model') usage('--hints evaluates a hint-taking model: give --model NAME (scribble is run beside it on the same hints)');
  const counts = typeof opts.hints === 'string' ? parseCounts('--hints', opts.hints, 0) : DEFAULT_HINT_COUNTS;
  const progress = createProgress(Boolean(opts.quiet));
  progress.start(files.length);
  const s = await evaluateHintSweep(files, resolved.method, {
    counts, evalSize, size: resolved.size, methodOptions: resolved.methodOptions, modelLabel: resolved.model, compare: getMethod('scribble'), htmlReport: opts.report,
    onImage(file, error) {
      if (error) progress.log(`medcolor eval: ${displayPath(file)}: ${describeError(error)}`);
      progress.tick(displayPath(file));
    },
  });
  progress.stop();
  const json = JSON.stringify(s, null, 1) + '\n';
  if (opts.json === true) process.stdout.write(json);
  else {
    const row = (m?: EvalMetrics) => (m ? `${m.psnr.toFixed(2).padStart(7)} ${m.ssim.toFixed(3).padStart(6)} ${m.deltaE2000.toFixed(2).padStart(7)}` : '');
    process.stdout.write([`${s.n} images${s.size ? ` at ${s.size}x${s.size}` : ''}, model ${s.model}, hints simulated from the truth`,
      `    K   model PSNR   SSIM  dE2000   scribble PSNR   SSIM  dE2000`,
      ...s.rows.map((r) => `${String(r.k).padStart(5)}   ${row(r.model)}   ${row(r.scribble)}`),
      ` gray   ${row(s.baseline.gray)}`].join('\n') + '\n');
    if (typeof opts.json === 'string') await writeFileAtomic(opts.json, json);
  }
  process.exitCode = s.n === 0 ? EXIT.ALL_FAILED : s.failed.length ? EXIT.SOME_FAILED : EXIT.OK;
}

function parseCounts(flag: string, v: string, min: number): number[] {
  const ks = v.split(',').map((t) => Number(t.trim()));
  if (!ks.length || ks.some((k) => !Number.isInteger(k) || k < min || k > 100000)) usage(`${flag} expects integers >= ${min} separated by commas (e.g. 0,1,10); found "${v}"`);
  return ks;
}

function parseStrokeCounts(v: string): number[] {
  const ks = v.split(',').map((t) => Number(t.trim()));
  if (!ks.length || ks.some((k) => !Number.isInteger(k) || k < 1 || k > 100000)) usage(`--strokes expects positive integers separated by commas (e.g. 1,5,10); found "${v}"`);
  return ks;
}

