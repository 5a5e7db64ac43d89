/**
 * `medcolor prepare SRC -o DATASET`: turns a folder of color images into a training dataset.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { prepareDataset } from '../train/dataset.js';
import { createProgress, EXIT, parseIntOption, usage } from './common.js';

interface PrepareCliOptions {
  output: string;
  size: string;
  split: string;
  fit: string;
  grayThreshold: string;
  json?: string | boolean;
  quiet?: boolean;
}

function parseSplit(v: string): [number, number, number] {
  const p = v.split(',').map((s) => Number(s.trim()));
  if (p.length !== 3 || !p.every((x) => Number.isFinite(x) && x >= 0) || p[0] + p[1] + p[2] <= 0) {
    usage(`--split expects three non-negative fractions TRAIN,VAL,TEST (e.g. 0.8,0.1,0.1); found "${v}"`);
  }
  return p as [number, number, number];
}

/** Registers `medcolor prepare`. */
export function registerPrepare(program: Command): void {
  program
    .command('prepare')
    .description('decode a folder of color images into a training dataset (L* input, a*b* target, train/val/test split)')
    .argument('<src>', 'folder of color images (PNG, JPEG, TIFF, WebP); train/ val/ test/ subfolders keep their split')
    .requiredOption('-o, --output <dataset>', 'dataset folder to write (manifest.json + train.bin, val.bin, test.bin)')
    .option('--size <n>', 'side of the square samples in pixels', '256')
    .option('--split <train,val,test>', 'fractions for files outside train/ val/ test/ folders (by content hash)', '0.8,0.1,0.1')
    .option('--fit <mode>', "'cover': short side to size, center crop (no distortion); 'fill': resize to size x size", 'cover')
    .option('--gray-threshold <c>', 'skip images whose largest chroma sqrt(a*²+b*²) is below this', '5')
    .option('--json [file]', 'print (or write to file) a JSON report')
    .option('-q, --quiet', 'no progress bar')
    .addHelpText(
      'after',
      `
Records are stored as uint16 L* (·655.35) and int16 a*, b* (·100), one fixed-size record per image.
Files are split by a hash of their content: adding files never moves the ones already there.
Gray images (no chroma), corrupt files and duplicates are skipped and reported.`,
    )
    .action(async (src: string, opts: PrepareCliOptions) => {
      const size = parseIntOption('--size', opts.size, 8, 4096);
      const split = parseSplit(opts.split);
      if (opts.fit !== 'cover' && opts.fit !== 'fill') usage(`--fit must be cover or fill; found "${opts.fit}"`);
      const grayThreshold = Number(opts.grayThreshold);
      if (!(grayThreshold >= 0)) usage(`--gray-threshold expects a number >= 0; found "${opts.grayThreshold}"`);
      const progress = createProgress(Boolean(opts.quiet) || opts.json === true);
      let started = false;
      const report = await prepareDataset(src, opts.output, {
        size,
        split,
        fit: opts.fit,
        grayThreshold,
        onProgress(done, total, file) {
          if (!started) {
            progress.start(total);
            started = true;
          }
          progress.tick(file);
        },
      });
      progress.stop();
      const json = JSON.stringify(report, null, 1);
      if (opts.json === true) process.stdout.write(json + '\n');
      else {
        if (typeof opts.json === 'string') await writeFileAtomic(opts.json, json + '\n');
        for (const s of report.skipped) process.stderr.write(`skipped ${s.file}: ${s.reason}\n`);
        process.stdout.write(
          `${opts.output}: ${size}x${size}, train ${report.counts.train}, val ${report.counts.val}, test ${report.counts.test}` +
            (report.skipped.length ? `, ${report.skipped.length} skipped` : '') + '\n',
        );
      }
      const total = report.counts.train + report.counts.val + report.counts.test;
      process.exitCode = total === 0 && report.skipped.length > 0 ? EXIT.ALL_FAILED : report.skipped.length ? EXIT.SOME_FAILED : EXIT.OK;
    });
}
