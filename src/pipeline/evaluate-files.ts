/**
 * Evaluation over a folder of color images (Node: reads files with sharp, writes the HTML report).
 * Each image goes color -> L* -> pipeline -> compared with the original, beside the gray baseline.
 */
import type { MethodOptions } from '../methods/types.js';
import { basename, dirname, relative, sep } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../image/types.js';
import { openAtomicFile, type AtomicFile } from '../io/atomic.js';
import { readRasterRgb } from '../io/raster.js';
import type { ColorizationMethod } from '../methods/types.js';
import type { ColorizeOptions } from './colorize.js';
import { evaluateImage, MetricsAccumulator, type EvalImageResult, type EvalMetrics } from './evaluate.js';

/** Image file extensions evaluation reads. */
export const EVAL_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp'];

/** Options of {@link evaluateFiles}. */
export interface EvaluateFilesOptions extends ColorizeOptions {
  /**
   * Resize every image to evalSize x evalSize (sharp, fit 'fill', bicubic like Pillow's default)
   * before evaluating, the convention of the tables in shared/data/README.md. Default: full resolution.
   */
  evalSize?: number;
  /** Folder the reported file names are relative to. Default: the common folder of the files. */
  root?: string;
  /** Write an HTML report (gray input, result, truth side by side, with the table). */
  htmlReport?: string;
  /** Label of the method for the summary (e.g. 'model' or 'lut'). Default method.name. */
  methodLabel?: string;
  /** Model name or path, for the summary. */
  modelLabel?: string | null;
  /**
   * Extra method options derived from each image's truth (e.g. scribble strokes simulated from
   * the true chroma); `index` is the image's position in `files`.
   */
  truthOptions?: (truth: RgbImage, index: number) => MethodOptions;
  /** Called after each image (for progress), with its result or its error. */
  onImage?: (file: string, result: EvalImageResult | undefined, error?: unknown) => void;
}

/** The machine-readable summary (what `medcolor eval --json` writes). */
export interface EvalSummary {
  method: string;
  model: string | null;
  size: number | null;
  n: number;
  mean: EvalMetrics;
  baseline: { gray: EvalMetrics };
  images: (EvalMetrics & { file: string })[];
  failed: { file: string; error: string }[];
}

function commonDir(files: string[]): string {
  if (files.length === 0) return '.';
  let parts = dirname(files[0]).split(sep);
  for (const f of files.slice(1)) {
    const p = dirname(f).split(sep);
    let i = 0;
    while (i < parts.length && i < p.length && parts[i] === p[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join(sep) || sep;
}

/**
 * Evaluates a method on color image files. Images are processed one at a time; only the figures
 * are kept (and, for the HTML report, small PNG thumbnails streamed to the file).
 *
 * @example
 * const s = await evaluateFiles(files, getMethod('gray'), { evalSize: 256 });
 * s.mean.psnr; s.baseline.gray.psnr;
 */
export async function evaluateFiles(
  files: string[],
  method: ColorizationMethod,
  options: EvaluateFilesOptions = {},
): Promise<EvalSummary> {
  const root = options.root ?? commonDir(files);
  const acc = new MetricsAccumulator();
  const grayAcc = new MetricsAccumulator();
  const images: (EvalMetrics & { file: string })[] = [];
  const failed: { file: string; error: string }[] = [];
  const html = options.htmlReport ? new HtmlReport(options.htmlReport) : undefined;
  const label = options.methodLabel ?? method.name;
  try {
    html?.begin(label, options.modelLabel ?? null, options.evalSize ?? null);
    for (const [index, file] of files.entries()) {
      const rel = relative(root, file).split(sep).join('/') || basename(file);
      try {
        const truth = await readRasterRgb(file, { size: options.evalSize });
        const perImage = options.truthOptions ? { ...options, methodOptions: { ...options.methodOptions, ...options.truthOptions(truth, index) } } : options;
        const d = await evaluateImage(truth, method, perImage);
        acc.add(d.metrics);
        grayAcc.add(d.grayMetrics);
        const row = { file: rel, ...d.metrics };
        images.push(row);
        if (html) await html.addImage(rel, d.grayRgb, d.result.rgb, truth, d.metrics, d.grayMetrics);
        options.onImage?.(file, { ...row, baseline: { gray: d.grayMetrics } });
      } catch (e) {
        failed.push({ file: rel, error: e instanceof Error ? e.message : String(e) });
        options.onImage?.(file, undefined, e);
      }
    }
    const summary: EvalSummary = {
      method: label,
      model: options.modelLabel ?? null,
      size: options.evalSize ?? null,
      n: acc.n,
      mean: acc.mean(),
      baseline: { gray: grayAcc.mean() },
      images,
      failed,
    };
    html?.end(summary);
    return summary;
  } catch (e) {
    html?.abort();
    throw e;
  }
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : String(v));
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : String(v));

function metricCells(m: EvalMetrics): string {
  return `<td>${f2(m.psnr)}</td><td>${f3(m.ssim)}</td><td>${f2(m.deltaE2000)}</td><td>${f2(m.colorfulness)}</td><td>${f2(m.colorfulnessGap)}</td>`;
}

/** Streams an HTML report to a temporary file, renamed into place at the end (io/atomic.ts). */
class HtmlReport {
  private readonly out: AtomicFile;
  constructor(file: string) {
    this.out = openAtomicFile(file);
  }
  private write(s: string): void {
    this.out.write(s);
  }
  begin(method: string, model: string | null, size: number | null): void {
    this.write(`<!doctype html><html><head><meta charset="utf-8"><title>medcolor eval: ${esc(method)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1em}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right}
th{background:#eee}.img td{text-align:center;vertical-align:top}img{max-width:256px;image-rendering:auto}.f{text-align:left}</style>
</head><body><h1>medcolor eval</h1><p>method <b>${esc(method)}</b>${model ? `, model <b>${esc(model)}</b>` : ''}, size ${size ?? 'full resolution'}</p>
<table class="img"><tr><th class="f">file</th><th>gray input (L*)</th><th>result</th><th>truth</th><th>PSNR / SSIM / ΔE2000 / colorfulness (gap)</th></tr>\n`);
  }
  async addImage(file: string, gray: RgbImage, result: RgbImage, truth: RgbImage, m: EvalMetrics, g: EvalMetrics): Promise<void> {
    const uri = async (img: RgbImage) => {
      let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
      if (img.width > 256 || img.height > 256) s = s.resize(256, 256, { fit: 'inside' });
      return 'data:image/png;base64,' + (await s.png().toBuffer()).toString('base64');
    };
    this.write(
      `<tr><td class="f">${esc(file)}</td><td><img src="${await uri(gray)}"></td><td><img src="${await uri(result)}"></td>` +
        `<td><img src="${await uri(truth)}"></td><td>method ${f2(m.psnr)} / ${f3(m.ssim)} / ${f2(m.deltaE2000)} / ${f2(m.colorfulness)} (${f2(m.colorfulnessGap)})<br>` +
        `gray ${f2(g.psnr)} / ${f3(g.ssim)} / ${f2(g.deltaE2000)} / ${f2(g.colorfulness)} (${f2(g.colorfulnessGap)})</td></tr>\n`,
    );
  }
  end(s: EvalSummary): void {
    this.write(`</table><h2>Summary (${s.n} images${s.failed.length ? `, ${s.failed.length} failed` : ''})</h2>
<table><tr><th class="f"></th><th>PSNR dB</th><th>SSIM</th><th>ΔE2000</th><th>colorfulness</th><th>gap</th></tr>
<tr><td class="f">${esc(s.method)}</td>${metricCells(s.mean)}</tr><tr><td class="f">gray baseline</td>${metricCells(s.baseline.gray)}</tr></table>
<h2>Per image</h2><table><tr><th class="f">file</th><th>PSNR dB</th><th>SSIM</th><th>ΔE2000</th><th>colorfulness</th><th>gap</th></tr>
${s.images.map((r) => `<tr><td class="f">${esc(r.file)}</td>${metricCells(r)}</tr>`).join('\n')}</table>
${s.failed.length ? `<h2>Failed</h2><ul>${s.failed.map((f) => `<li>${esc(f.file)}: ${esc(f.error)}</li>`).join('')}</ul>` : ''}
</body></html>\n`);
    this.out.commit();
  }
  abort(): void {
    this.out.abort();
  }
}
