/**
 * The CLI's bridge to src/io: reads any supported input as gray frames and writes colorized
 * frames as PNG, DICOM Secondary Capture or NIfTI RGB24.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { MedcolorError } from '../errors.js';
import type { GrayImage, RgbImage, Volume } from '../image/types.js';
import { readDicom } from '../io/dicom/index.js';
import { writeDicomSecondaryCapture } from '../io/dicom/write-sc.js';
import { readRaster, writePng } from '../io/raster.js';
import { readNifti, writeNiftiRgb24 } from '../io/nifti.js';

export type OutputFormat = 'png' | 'dcm' | 'nii';

/** One input, decoded: its gray frames (DICOM frames, NIfTI slices, or the single raster image). */
export interface InputFrames {
  kind: 'dicom' | 'nifti' | 'raster';
  file: string;
  frames: GrayImage[];
  /** The NIfTI volume (geometry for writing NIfTI RGB24), when the input is NIfTI. */
  volume?: Volume;
  /** Whether every frame/slice of the file was read (not a --frame selection). */
  complete: boolean;
}

/** Whether the file starts with the DICOM preamble (128 bytes, then "DICM"); reads 132 bytes only. */
function hasDicomPreamble(file: string): boolean {
  const b = new Uint8Array(132);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MedcolorError(code === 'ENOENT' ? 'ERR_FILE_NOT_FOUND' : 'ERR_READ', `cannot read the file (${code ?? (e as Error).message})`, { file, cause: e });
  }
  try {
    return readSync(fd, b, 0, 132, 0) === 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
  } finally {
    closeSync(fd);
  }
}

/** Reads an input file as gray frames. */
export async function readInputFrames(file: string, options: { frame?: number | 'all' } = {}): Promise<InputFrames> {
  const lower = file.toLowerCase();
  const frame = options.frame ?? 'all';
  if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) {
    const volume = await readNifti(file);
    if (frame === 'all') return { kind: 'nifti', file, frames: volume.slices, volume, complete: true };
    if (frame >= volume.slices.length) {
      throw new MedcolorError('ERR_FRAME_RANGE', `--frame ${frame} is out of range; the volume has ${volume.slices.length} slices (0..${volume.slices.length - 1})`, { file });
    }
    return { kind: 'nifti', file, frames: [volume.slices[frame]], volume, complete: false };
  }
  if (lower.endsWith('.dcm') || hasDicomPreamble(file)) {
    return { kind: 'dicom', file, frames: await readDicom(file, { frame }), complete: frame === 'all' };
  }
  // Anything else: a raster image (a color one is colorized from its own L*).
  const raster = await readRaster(file);
  return { kind: 'raster', file, frames: [raster.gray], complete: true };
}

/** Writes the colorized frames of one input; returns the files written. */
export async function writeOutputs(
  base: string,
  format: OutputFormat,
  frames: RgbImage[],
  input: InputFrames,
  provenance: { method: string; model?: string | null },
): Promise<string[]> {
  if (format === 'nii') {
    if (input.kind !== 'nifti' || !input.volume) {
      throw new MedcolorError('ERR_FORMAT_MISMATCH', `--format nii writes NIfTI RGB24 volumes from NIfTI inputs; this input is ${input.kind} (use png or dcm)`, { file: input.file });
    }
    if (!input.complete) {
      throw new MedcolorError('ERR_FORMAT_MISMATCH', '--format nii needs every slice of the volume; drop --frame (or use --format png)', { file: input.file });
    }
    const out = `${base}${input.file.toLowerCase().endsWith('.gz') ? '.nii.gz' : '.nii'}`;
    await writeNiftiRgb24(out, frames, input.volume);
    return [out];
  }
  if (format === 'dcm') {
    // One Secondary Capture (RGB) per input, one frame per colorized frame; identity copied from the source.
    const out = `${base}.dcm`;
    await writeDicomSecondaryCapture(out, frames, input.frames[0]?.meta, {
      method: provenance.method,
      ...(provenance.model ? { model: provenance.model } : {}),
    });
    return [out];
  }
  return writePngFrames(base, frames, 0, frames.length);
}

/**
 * Writes frames `first`.. of an input with `total` frames as PNG: `base.png` for a single frame,
 * else `base_0000.png`, `base_0001.png`, ... (frame index, at least 4 digits).
 */
export async function writePngFrames(base: string, frames: RgbImage[], first: number, total: number): Promise<string[]> {
  const written: string[] = [];
  const digits = Math.max(4, String(total - 1).length);
  for (let k = 0; k < frames.length; k++) {
    const f = total === 1 ? `${base}.png` : `${base}_${String(first + k).padStart(digits, '0')}.png`;
    await writePng(f, frames[k]);
    written.push(f);
  }
  return written;
}
