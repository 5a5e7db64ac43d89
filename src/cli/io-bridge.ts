/**
 * The CLI's bridge to src/io: reads any supported input as gray frames and writes colorized
 * frames as PNG, DICOM Secondary Capture or NIfTI RGB24.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { MedcolorError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { GrayImage, RgbImage, Volume } from '../image/types.js';
import { readDicom } from '../io/dicom/index.js';
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

function isDicomBytes(b: Uint8Array): boolean {
  return b.length > 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
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
  const head = new Uint8Array(readFileSync(file).subarray(0, 132));
  if (isDicomBytes(head) || lower.endsWith('.dcm')) {
    return { kind: 'dicom', file, frames: await readDicom(file, { frame }), complete: frame === 'all' };
  }
  try {
    const { data, info } = await sharp(file, { failOn: 'error' }).rotate().toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const wide = data.length === 2 * info.width * info.height * info.channels; // 16-bit sources stay 16-bit
    const max = wide ? 65535 : 255;
    const px = wide ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)) : data;
    const g = new Float32Array(info.width * info.height);
    for (let i = 0; i < g.length; i++) g[i] = px[i * info.channels];
    return {
      kind: 'raster',
      file,
      complete: true,
      // A gray raster is already a display image: an exact window over its full range shows every
      // pixel as its own gray (L* of the PNG's gray level), without stretching.
      frames: [
        {
          width: info.width,
          height: info.height,
          data: g,
          meta: {
            modality: 'OT',
            valueRange: [0, max],
            windows: [{ center: max / 2, width: max, explanation: 'full range' }],
            voiLutFunction: 'LINEAR_EXACT',
            source: file,
          },
        },
      ],
    };
  } catch (e) {
    throw new MedcolorError('ERR_IMAGE_DECODE', `cannot read as DICOM, NIfTI or a raster image: ${(e as Error).message}`, { file, cause: e });
  }
}

/** Writes the colorized frames of one input; returns the files written. */
export async function writeOutputs(base: string, format: OutputFormat, frames: RgbImage[], input: InputFrames): Promise<string[]> {
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
    throw new MedcolorError('ERR_FORMAT_UNSUPPORTED', '--format dcm is not wired in yet; use png', { file: input.file });
  }
  const written: string[] = [];
  const digits = Math.max(4, String(frames.length - 1).length);
  for (let k = 0; k < frames.length; k++) {
    const f = frames.length === 1 ? `${base}.png` : `${base}_${String(k).padStart(digits, '0')}.png`;
    const img = frames[k];
    const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
    await writeFileAtomic(f, png);
    written.push(f);
  }
  return written;
}
