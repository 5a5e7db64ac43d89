/**
 * `medcolor info FILE... [--json]`: what a file holds (modality, size, bits, frames, photometric,
 * transfer syntax, windows, rescale) without decoding pixels. A bad file is reported and the
 * others are still printed; the exit code is then non-zero (1 some failed, 5 all failed).
 */
import type { Command } from 'commander';
import sharp from 'sharp';
import { isMedcolorError } from '../errors.js';
import { readDicomInfo } from '../io/dicom/read.js';
import { readNiftiInfo } from '../io/nifti-file.js';
import { detectInputFormat } from '../io/read-any.js';
import { EXIT } from './common.js';

/** One file's information as printed by `medcolor info --json`. */
export interface FileInfo {
  file: string;
  ok: boolean;
  format?: 'dicom' | 'nifti' | 'raster';
  error?: { code: string; message: string };
  [key: string]: unknown;
}

const fmt = (n: number | undefined) => (n === undefined ? '-' : String(Number(n.toPrecision(8))));

/**
 * Collects header information of one file (never throws: failures come back with ok: false).
 *
 * @example
 * const info = await describeFile('ct.dcm'); // { file, ok: true, format: 'dicom', modality: 'CT', ... }
 */
export async function describeFile(file: string): Promise<FileInfo> {
  try {
    const format = await detectInputFormat(file);
    if (format === 'dicom') {
      const d = await readDicomInfo(file);
      return { file, ok: true, format, ...d, source: undefined };
    }
    if (format === 'nifti') {
      const n = await readNiftiInfo(file);
      return { file, ok: true, format, ...n };
    }
    const m = await sharp(file).metadata();
    return {
      file,
      ok: true,
      format,
      type: m.format,
      width: m.width,
      height: m.height,
      channels: m.channels,
      depth: m.depth,
      space: m.space,
      hasAlpha: m.hasAlpha,
    };
  } catch (e) {
    const code = isMedcolorError(e) ? e.code : 'ERR_READ';
    const message = isMedcolorError(e) ? e.message.replace(`${file}: `, '') : (e as Error).message;
    return { file, ok: false, error: { code, message } };
  }
}

function textLines(info: FileInfo): string[] {
  const i = info as Record<string, any>;
  const out = [info.file];
  const row = (k: string, v: string) => out.push(`  ${k.padEnd(12)}${v}`);
  if (!info.ok) {
    row('error', `${info.error!.code}: ${info.error!.message}`);
    return out;
  }
  if (info.format === 'dicom') {
    row('format', 'DICOM');
    row('modality', i.modality ?? '-');
    row('size', `${i.columns} x ${i.rows}${i.samplesPerPixel > 1 ? ` x ${i.samplesPerPixel} samples` : ''}`);
    row('bits', `${i.bitsAllocated} allocated, ${i.bitsStored} stored, ${i.signed ? 'signed' : 'unsigned'}${i.pixelDataKind && i.pixelDataKind !== 'integer' ? ` (${i.pixelDataKind})` : ''}`);
    row('frames', String(i.frameCount));
    row('photometric', i.photometric || '-');
    row('transfer', `${i.transferSyntaxName} (${i.transferSyntaxUid})${i.decodable ? '' : ' [not decodable]'}`);
    const windows = (i.windows as { center: number; width: number; explanation?: string }[]).map(
      (w) => `${fmt(w.center)}/${fmt(w.width)}${w.explanation ? ` (${w.explanation})` : ''}`,
    );
    row('window', windows.length ? windows.join(', ') + (i.voiLutFunction ? ` ${i.voiLutFunction}` : '') : i.hasVoiLutSequence ? 'VOI LUT sequence' : '-');
    row(
      'rescale',
      i.hasModalityLutSequence
        ? 'Modality LUT sequence'
        : i.rescaleSlope !== undefined
          ? `slope ${fmt(i.rescaleSlope)}, intercept ${fmt(i.rescaleIntercept)}${i.rescaleType ? ` (${i.rescaleType})` : i.modality === 'CT' ? ' (HU)' : ''}`
          : '-',
    );
    if (i.pixelSpacing) row('spacing', `${fmt(i.pixelSpacing[0])} x ${fmt(i.pixelSpacing[1])} mm`);
    if (!i.hasPixelData) row('note', 'no pixel data');
  } else if (info.format === 'nifti') {
    row('format', `NIfTI-${i.version}`);
    row('size', (i.dims as number[]).join(' x '));
    row('datatype', `${i.datatype} (${i.bitsPerVoxel} bits)`);
    row('spacing', (i.pixDims as number[]).map(fmt).join(' x '));
    row('rescale', i.sclSlope ? `slope ${fmt(i.sclSlope)}, intercept ${fmt(i.sclInter)}` : '-');
    if (i.calMax > i.calMin) row('window', `cal ${fmt(i.calMin)}..${fmt(i.calMax)}`);
  } else {
    row('format', String(i.type).toUpperCase());
    row('size', `${i.width} x ${i.height}`);
    row('channels', `${i.channels}${i.hasAlpha ? ' (with alpha)' : ''}, ${i.space}`);
    row('bits', i.depth === 'ushort' ? '16' : i.depth === 'uchar' ? '8' : String(i.depth));
  }
  return out;
}

/**
 * Registers `medcolor info FILE... [--json]`.
 *
 * @example
 * const program = new Command(); registerInfo(program);
 * await program.parseAsync(['node', 'medcolor', 'info', 'ct.dcm', '--json']);
 */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show what image files hold (modality, size, bits, frames, photometric, transfer syntax, window, rescale)')
    .argument('<files...>', 'DICOM, NIfTI or raster files')
    .option('--json', 'machine-readable output (one JSON array)')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const infos: FileInfo[] = [];
      for (const f of files) {
        const info = await describeFile(f);
        infos.push(info);
        if (!opts.json) {
          const lines = textLines(info);
          (info.ok ? process.stdout : process.stderr).write(lines.join('\n') + '\n');
        }
      }
      if (opts.json) process.stdout.write(JSON.stringify(infos, null, 1) + '\n');
      const failed = infos.filter((x) => !x.ok).length;
      if (failed > 0) process.exitCode = failed === infos.length ? EXIT.ALL_FAILED : EXIT.SOME_FAILED;
    });
}
