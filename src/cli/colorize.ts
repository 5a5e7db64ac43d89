/**
 * `medcolor colorize INPUT... -o OUTDIR`: colorizes PNG/JPEG/TIFF, DICOM (single and multi-frame)
 * and NIfTI inputs, one file at a time (memory stays flat over thousands of files), writing PNG,
 * DICOM Secondary Capture (RGB) or NIfTI RGB24.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { MedcolorError } from '../errors.js';
import type { RgbImage } from '../image/types.js';
import { colorizeImages, type ColorizeOptions } from '../pipeline/colorize.js';
import { readInputFrames, writeOutputs, writePngFrames, type OutputFormat } from './io-bridge.js';
import {
  createProgress,
  describeError,
  displayPath,
  EXIT,
  expandInputs,
  parseIntOption,
  parseWindowOption,
  usage,
} from './common.js';
import { addMethodOptions, resolveMethodOptions, type MethodCliOptions } from './method-options.js';

/** Input extensions picked up when walking folders and globs. */
export const INPUT_EXTENSIONS = ['.dcm', '.dicom', '.ima', '.nii', '.nii.gz', '.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp'];

function isInputFile(f: string): boolean {
  const lower = f.toLowerCase();
  if (INPUT_EXTENSIONS.some((e) => lower.endsWith(e))) return true;
  // DICOM files often have no extension (e.g. IM0001): accept extension-less files.
  return extname(basename(f)) === '';
}

interface ColorizeCliOptions extends MethodCliOptions {
  output: string;
  format?: string;
  frame?: string;
  window?: string;
  batch?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Output name stem for an input: relative to the folder it was found in, without extension. */
function stemFor(file: string, root: string | undefined): string {
  const rel = root ? relative(root, file) : basename(file);
  return rel.replace(/\.nii\.gz$/i, '').replace(/\.[^./\\]+$/, '');
}

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
  addMethodOptions(cmd)
    .option('--batch <n>', 'frames per model call', '8')
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
  medcolor colorize "mri/**/*.nii.gz" -o out/ --format nii --model general
  medcolor colorize xray.png -o out/ --method lut --palette hot-iron`,
    )
    .action(async (inputs: string[], opts: ColorizeCliOptions) => {
      const format = (opts.format ?? 'png') as OutputFormat;
      if (!['png', 'dcm', 'nii'].includes(format)) usage(`--format must be png, dcm or nii; found "${opts.format}"`);
      const frame = opts.frame === undefined || opts.frame === 'all' ? 'all' : parseIntOption('--frame', opts.frame, 0, 1 << 20);
      const window = opts.window !== undefined ? parseWindowOption(opts.window) : undefined;
      const batch = parseIntOption('--batch', opts.batch ?? '8', 1, 1024);
      const resolved = await resolveMethodOptions(opts);
      const json = Boolean(opts.json);
      if (resolved.note && !json) process.stderr.write(`medcolor colorize: ${resolved.note}\n`);
      const outDir = resolve(opts.output);
      try {
        mkdirSync(outDir, { recursive: true });
      } catch (e) {
        throw new MedcolorError('ERR_OUTPUT', `cannot create the output folder: ${(e as Error).message}`, { file: outDir });
      }
      const colorizeOptions: ColorizeOptions = { window, size: resolved.size, methodOptions: resolved.methodOptions };

      // With a bar, count first (a cheap walk) so it knows its total; files are then streamed again.
      const progress = createProgress(Boolean(opts.quiet) || json);
      if (expandInputs(inputs, { accept: isInputFile }).next().done) usage(`no inputs found in ${inputs.join(' ')}`);
      if (progress.enabled) {
        let count = 0;
        for (const _ of expandInputs(inputs, { accept: isInputFile })) count++;
        progress.start(count);
      }

      const out = process.stdout;
      if (json) out.write(`{"method":${JSON.stringify(resolved.label)},"model":${JSON.stringify(resolved.model)},"format":"${format}","files":[`);
      let ok = 0, failed = 0, first = true;
      const used = new Set<string>();
      const roots = inputs.map((i) => (existsSync(i) && statSync(i).isDirectory() ? resolve(i) : undefined));
      for (let k = 0; k < inputs.length; k++) {
        for (const item of expandInputs([inputs[k]], { accept: isInputFile })) {
          const started = performance.now();
          let entry: Record<string, unknown>;
          try {
            if (item.missing) throw new MedcolorError('ERR_FILE_NOT_FOUND', 'no such file or folder', { file: item.file });
            const input = await readInputFrames(item.file, { frame });
            let stem = stemFor(resolve(item.file), roots[k]);
            for (let n = 2; used.has(stem); n++) stem = `${stemFor(resolve(item.file), roots[k])}-${n}`;
            used.add(stem);
            const base = join(outDir, stem);
            mkdirSync(dirname(base), { recursive: true });
            // PNG frames are written batch by batch; DICOM and NIfTI outputs need every frame at once.
            const total = input.frames.length;
            const kept: RgbImage[] = [];
            const written: string[] = [];
            let width = 0, height = 0;
            for (let s = 0; s < total; s += batch) {
              const outs = await colorizeImages(input.frames.slice(s, s + batch), resolved.method, colorizeOptions);
              [width, height] = [outs[0].rgb.width, outs[0].rgb.height];
              if (format === 'png') written.push(...(await writePngFrames(base, outs.map((o) => o.rgb), s, total)));
              else for (const o of outs) kept.push(o.rgb);
            }
            if (format !== 'png') {
              written.push(...(await writeOutputs(base, format, kept, input, { method: resolved.label, model: resolved.model })));
            }
            ok++;
            entry = {
              input: item.file,
              ok: true,
              kind: input.kind,
              frames: total,
              width,
              height,
              outputs: written.map((w) => relative(process.cwd(), w).startsWith('..') ? w : relative(process.cwd(), w)),
              ms: Math.round(performance.now() - started),
            };
          } catch (e) {
            failed++;
            const code = (e as { code?: string }).code ?? 'ERR_INTERNAL';
            entry = { input: item.file, ok: false, code, error: e instanceof Error ? e.message : String(e) };
            if (!json) progress.log(`medcolor colorize: ${displayPath(item.file)}: ${describeError(e)}`);
          }
          if (json) {
            out.write((first ? '\n' : ',\n') + JSON.stringify(entry));
            first = false;
          }
          progress.tick(displayPath(item.file));
        }
      }
      progress.stop();
      if (json) out.write(`\n],"ok":${ok},"failed":${failed}}\n`);
      else process.stderr.write(`medcolor colorize: ${ok} ok, ${failed} failed -> ${displayPath(outDir) || '.'}${sep}\n`);
      process.exitCode = failed === 0 ? EXIT.OK : ok === 0 ? EXIT.ALL_FAILED : EXIT.SOME_FAILED;
    });
}

