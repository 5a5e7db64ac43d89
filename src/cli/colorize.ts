/**
 * `medcolor colorize INPUT... -o OUTDIR`: parses the options, calls the library's
 * `colorizeFiles` (pipeline/colorize-files.ts) and prints its per-file entries (progress and
 * errors on stderr, or one streamed JSON document with --json).
 */
import { relative, sep } from 'node:path';
import type { Command } from 'commander';
import { OUTPUT_FORMATS, type OutputFormat } from '../io/encode-output.js';
import { DEFAULT_MAX_PIXELS } from '../io/raster-image.js';
import { expandInputs } from '../io/expand-inputs.js';
import { colorizeFiles, countInputFiles, isInputFile, type ColorizeFileEntry } from '../pipeline/colorize-files.js';
import { createProgress, displayPath, EXIT, labelWarning, parseIntOption, parseWindowOption, usage } from './common.js';
import { addMethodOptions, readStrokesFile, resolveMethodOptions, type MethodCliOptions } from './method-options.js';
import { addTrustOptions, parseTrustOptions, type TrustCliOptions } from './trust-options.js';

interface ColorizeCliOptions extends MethodCliOptions, TrustCliOptions {
  output: string;
  hints?: string;
  hintFrame?: string;
  consistentSlices?: boolean;
  format?: string;
  frame?: string;
  window?: string;
  batch?: string;
  maxPixels?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Paths below the current folder are shown relative to it. */
const shown = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));

/** Registers `medcolor colorize`. */
export function registerColorize(program: Command): void {
  const cmd = program
    .command('colorize')
    .description('colorize gray images: PNG/JPEG/TIFF, DICOM (single and multi-frame), NIfTI (every slice)')
    .argument('<input...>', 'files, folders (searched recursively) or globs (quote them: "scans/**/*.dcm")')
    .requiredOption('-o, --output <outdir>', 'output folder (created if missing); folder inputs keep their sub-folder layout')
    .option('-f, --format <fmt>', 'png (one PNG per frame/slice), dcm (DICOM Secondary Capture RGB, one frame per input frame), nii (NIfTI RGB24 volume)', 'png')
    .option('--frame <n|all>', 'which frames of a multi-frame DICOM / slices of a NIfTI volume (0-based)', 'all')
    .option('--window <C,W>', 'VOI window center,width in the units of the data (e.g. 40,400 for CT soft tissue); default: the file\'s own');
  addTrustOptions(addMethodOptions(cmd), 'NAME.confidence.png (8-bit gray), for --format dcm a grayscale Secondary Capture in a series of its own (NAME.confidence.dcm)')
    .option('--hints <file>', 'color hints for a hint-taking --model (same formats as --scribbles, full-size pixel coordinates; the same hints for every frame unless --hint-frame)')
    .option('--hint-frame <n>', 'the frame/slice (0-based) the --hints were given on: they apply to the frames within 3 of it only')
    .option('--consistent-slices', 'multi-frame input: smooth a*b* across neighboring slices where L* is similar, so colors do not flicker from slice to slice')
    .option('--batch <n>', 'frames per model call', '8')
    .option('--max-pixels <n>', `largest raster image read, in pixels (width x height); default ${DEFAULT_MAX_PIXELS} (16383 x 16383)`)
    .option('--json', 'machine-readable output on stdout (one JSON document, streamed)')
    .option('-q, --quiet', 'no progress bar')
    .addHelpText(
      'after',
      `
Luminance is never altered: the output's L* equals the input's display L* (after the window).
A bad input is reported and the batch goes on; the exit code tells (1: some inputs failed).

Examples:
  medcolor colorize chest.dcm -o out/
  medcolor colorize scans/ -o out/ --format dcm --method ct-tissue
  medcolor colorize "mri/**/*.nii.gz" -o out/ --format nii --model natural
  medcolor colorize xray.png -o out/ --method lut --palette hot-iron`,
    )
    .action(async (inputs: string[], opts: ColorizeCliOptions) => {
      const format = (opts.format ?? 'png') as OutputFormat;
      if (!OUTPUT_FORMATS.includes(format)) usage(`--format must be png, dcm or nii; found "${opts.format}"`);
      const frame = opts.frame === undefined || opts.frame === 'all' ? 'all' : parseIntOption('--frame', opts.frame, 0, 1 << 20);
      const window = opts.window !== undefined ? parseWindowOption(opts.window) : undefined;
      const batch = parseIntOption('--batch', opts.batch ?? '8', 1, 1024);
      const trust = parseTrustOptions(opts);
      const maxPixels = opts.maxPixels !== undefined ? parseIntOption('--max-pixels', opts.maxPixels, 1, Number.MAX_SAFE_INTEGER) : undefined;
      if (expandInputs(inputs, { accept: isInputFile }).next().done) usage(`no inputs found in ${inputs.join(' ')}`);
      const resolved = await resolveMethodOptions(opts);
      if (opts.hints !== undefined) {
        if (!resolved.takesHints) usage(`--hints needs a hint-taking model (--model NAME whose metadata has medcolor.hints); ${resolved.label === 'model' ? `model ${resolved.model} takes none` : `method ${resolved.label} is not a model (scribble takes --scribbles)`}`);
        const hintFrame = opts.hintFrame !== undefined ? parseIntOption('--hint-frame', opts.hintFrame, 0, 1 << 20) : undefined;
        resolved.methodOptions.hints = { strokes: await readStrokesFile('--hints', opts.hints), file: opts.hints, frame: hintFrame };
      } else if (opts.hintFrame !== undefined) usage('--hint-frame needs --hints');
      const json = Boolean(opts.json);
      if (resolved.note && !json) process.stderr.write(`medcolor colorize: ${resolved.note}\n`);

      // With a bar, count first (a cheap walk) so it knows its total; files are then streamed.
      const progress = createProgress(Boolean(opts.quiet) || json);
      if (progress.enabled) progress.start(countInputFiles(inputs));
      const out = process.stdout;
      if (json) out.write(`{"method":${JSON.stringify(resolved.label)},"model":${JSON.stringify(resolved.model)},"format":"${format}","files":[`);
      let first = true;
      const summary = await colorizeFiles(inputs, resolved.method, {
        outDir: opts.output,
        format,
        frame,
        window,
        batch,
        maxPixels,
        size: resolved.size,
        methodOptions: resolved.methodOptions,
        ...trust,
        consistentSlices: Boolean(opts.consistentSlices),
        provenance: { method: resolved.label, model: resolved.model },
        onFile(entry: ColorizeFileEntry) {
          if (json) {
            const shownEntry = entry.ok ? { ...entry, outputs: entry.outputs.map(shown) } : entry;
            out.write((first ? '\n' : ',\n') + JSON.stringify(shownEntry));
            first = false;
          } else if (!entry.ok) {
            progress.log(`medcolor colorize: ${displayPath(entry.input)}: ${entry.code}: ${entry.error}`);
          } else {
            for (const w of entry.warnings) progress.log(`medcolor colorize: ${displayPath(entry.input)}: ${labelWarning(w)}`);
          }
          progress.tick(displayPath(entry.input));
        },
      });
      progress.stop();
      const { ok, failed } = summary;
      if (json) out.write(`\n],"ok":${ok},"failed":${failed}}\n`);
      else process.stderr.write(`medcolor colorize: ${ok} ok, ${failed} failed -> ${displayPath(summary.outDir) || '.'}${sep}\n`);
      process.exitCode = failed === 0 ? EXIT.OK : ok === 0 ? EXIT.ALL_FAILED : EXIT.SOME_FAILED;
    });
}
