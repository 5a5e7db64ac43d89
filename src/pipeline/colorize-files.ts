/**
 * The "colorize files" job every front door that takes paths calls: expand inputs (files,
 * folders, globs), read each by content, colorize it in batches, name and write its outputs
 * (PNG, DICOM Secondary Capture, NIfTI RGB24), and report one entry per input. One input at a
 * time, so memory stays flat over thousands of files; a bad input is reported and the run goes
 * on. Node only.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { isMedcolorError, MedcolorError, type ErrorCode } from '../errors.js';
import { detectFormat, type GrayInputOptions, type InputFormat } from '../io/decode-input.js';
import { expandInputs } from '../io/expand-inputs.js';
import { encodePng } from '../io/raster.js';
import { readGrayInput } from '../io/read-any.js';
import { ensureFolder, OutputNamer, writeOutputs } from '../io/write-output.js';
import type { ColorizationMethod } from '../methods/types.js';
import { colorizeInput, type ColorizeInputOptions } from './colorize-input.js';

/** File name endings picked up when walking folders and globs (files named directly are always read). */
export const INPUT_EXTENSIONS = [
  '.dcm', '.dicom', '.dic', '.ima', '.nii', '.nii.gz', '.hdr', '.hdr.gz',
  '.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp',
];

/**
 * Whether a file found in a folder or by a glob is an input: a known ending, or no extension at
 * all and content that is an image (DICOM files are often named IM0001; a LICENSE or DICOMDIR's
 * neighbours that are not images are passed over). The .img of an .hdr/.img pair is read
 * through its .hdr.
 *
 * @example
 * isInputFile('series/IM0001'); // true for a DICOM file
 */
export function isInputFile(file: string): boolean {
  const lower = file.toLowerCase();
  if (INPUT_EXTENSIONS.some((e) => lower.endsWith(e))) return true;
  if (extname(basename(file)) !== '') return false;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = new Uint8Array(1024);
    const n = readSync(fd, head, 0, head.length, 0);
    return detectFormat(head.subarray(0, n), file, fstatSync(fd).size) !== undefined;
  } catch {
    return true; // unreadable: let the reader report why
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Options of {@link colorizeFiles}. */
export interface ColorizeFilesOptions extends Omit<ColorizeInputOptions, 'encodePng'>, Omit<GrayInputOptions, 'onNotice'> {
  /** Output folder (created); folder inputs keep their sub-folder layout under it. */
  outDir: string;
  /** Which files found in folders and globs are inputs (default {@link isInputFile}). */
  accept?: (file: string) => boolean;
  /** Called after each input with its entry (for progress and streamed reports). */
  onFile?: (entry: ColorizeFileEntry) => void;
}

/** The report of one input (what `medcolor colorize --json` lists). */
export type ColorizeFileEntry =
  | {
      input: string;
      ok: true;
      kind: InputFormat;
      frames: number;
      width: number;
      height: number;
      /** Paths written. */
      outputs: string[];
      ms: number;
      /** Notices about reading and displaying the input; empty when there were none. */
      warnings: string[];
      /** With `confidence`: the mean confidence (0..1) of its pixels, when the method gives one. */
      meanConfidence?: number;
    }
  | { input: string; ok: false; code: ErrorCode; error: string };

/** What {@link colorizeFiles} returns. */
export interface ColorizeFilesSummary {
  ok: number;
  failed: number;
  outDir: string;
}

/**
 * Counts the inputs `colorizeFiles` would visit (a cheap walk; for a progress bar's total).
 *
 * @example
 * countInputFiles(['scans/']); // 1289
 */
export function countInputFiles(inputs: string[], accept: (file: string) => boolean = isInputFile): number {
  let n = 0;
  for (const _ of expandInputs(inputs, { accept })) n++;
  return n;
}

/**
 * Colorizes files, folders (recursively) and globs into `options.outDir`: one PNG per
 * frame/slice (`name.png`, or `name_0000.png`...), one DICOM Secondary Capture per input, or
 * one NIfTI RGB24 volume per NIfTI input. Every input gets an entry through `onFile`.
 *
 * @example
 * const s = await colorizeFiles(['scans/'], getMethod('ct-tissue'), {
 *   outDir: 'out', format: 'dcm', onFile: (e) => console.log(e.input, e.ok),
 * });
 * s.ok; s.failed;
 */
export async function colorizeFiles(inputs: string[], method: ColorizationMethod, options: ColorizeFilesOptions): Promise<ColorizeFilesSummary> {
  const outDir = resolve(options.outDir);
  await ensureFolder(outDir);
  const accept = options.accept ?? isInputFile;
  const namer = new OutputNamer(outDir);
  let ok = 0, failed = 0;
  for (const given of inputs) {
    const root = isFolder(given) ? resolve(given) : undefined;
    for (const item of expandInputs([given], { accept })) {
      const started = performance.now();
      let entry: ColorizeFileEntry;
      try {
        if (item.missing) throw new MedcolorError('ERR_FILE_NOT_FOUND', 'no such file or folder', { file: item.file });
        const input = await readGrayInput(item.file, options);
        const base = namer.baseFor(resolve(item.file), root);
        const outputs: string[] = [];
        const done = await colorizeInput(input, method, { ...options, encodePng }, async (encoded) => {
          outputs.push(...(await writeOutputs(base, encoded)));
        });
        entry = {
          input: item.file,
          ok: true,
          kind: done.format,
          frames: done.frames,
          width: done.width,
          height: done.height,
          outputs,
          ms: Math.round(performance.now() - started),
          warnings: done.warnings,
          ...(done.meanConfidence !== undefined ? { meanConfidence: done.meanConfidence } : {}),
        };
        ok++;
      } catch (e) {
        failed++;
        entry = {
          input: item.file,
          ok: false,
          code: isMedcolorError(e) ? e.code : 'ERR_INTERNAL',
          error: e instanceof Error ? e.message : String(e),
        };
      }
      options.onFile?.(entry);
    }
  }
  return { ok, failed, outDir };
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
