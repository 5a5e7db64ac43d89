/**
 * `medcolor eval DIR`: color images -> gray (L*) -> colorize -> compared with the originals,
 * beside the gray baseline, with optional JSON and HTML reports.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { extname } from 'node:path';
import { EVAL_EXTENSIONS, evaluateFiles, type EvalSummary } from '../pipeline/evaluate-files.js';
import type { EvalMetrics } from '../pipeline/evaluate.js';
import { createProgress, describeError, displayPath, EXIT, expandInputs, parseIntOption, usage } from './common.js';
import { addMethodOptions, resolveMethodOptions, type MethodCliOptions } from './method-options.js';

interface EvalCliOptions extends MethodCliOptions {
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
    .option('-q, --quiet', 'no progress bar')
    .action(async (inputs: string[], opts: EvalCliOptions & { size?: string }) => {
      const evalSize = opts.size !== undefined ? parseIntOption('--size', opts.size, 11, 16384) : undefined;
      const files: string[] = [];
      for (const item of expandInputs(inputs, { accept: (f) => EVAL_EXTENSIONS.includes(extname(f).toLowerCase()) })) {
        if (item.missing) usage(`no such file or folder: ${item.file}`);
        files.push(item.file);
      }
      if (files.length === 0) usage(`no color images (${EVAL_EXTENSIONS.join(', ')}) in ${inputs.join(' ')}`);
      const resolved = await resolveMethodOptions({ ...opts, size: undefined });
      if (resolved.note && opts.json !== true) process.stderr.write(`medcolor eval: ${resolved.note}\n`);
      const progress = createProgress(Boolean(opts.quiet));
      progress.start(files.length);
      const summary = await evaluateFiles(files, resolved.method, {
        evalSize,
        size: resolved.size,
        methodOptions: resolved.methodOptions,
        methodLabel: resolved.label,
        modelLabel: resolved.model,
        htmlReport: opts.report,
        onImage(file, _r, error) {
          if (error) progress.log(`medcolor eval: ${displayPath(file)}: ${describeError(error)}`);
          progress.tick(displayPath(file));
        },
      });
      progress.stop();
      const json = JSON.stringify(summary, null, 1) + '\n';
      if (opts.json === true) process.stdout.write(json);
      else {
        if (typeof opts.json === 'string') await writeFileAtomic(opts.json, json);
        printTable(summary);
      }
      process.exitCode = summary.n === 0 ? EXIT.ALL_FAILED : summary.failed.length ? EXIT.SOME_FAILED : EXIT.OK;
    });
}
