/**
 * Evaluation of guided colorization against the number of hints (Node: reads files, writes the
 * report). For every image and every K, K hints are simulated from the image's true chroma by
 * the rule training uses (methods/hints.ts simulateHints, seed = the image's index + 1), and the
 * same hints go to the hint-taking model and to `scribble` (Levin et al. 2004), beside the gray
 * baseline: PSNR/SSIM/CIEDE2000 per K for both, and an HTML report that draws PSNR against K.
 */
import { srgb8ToAb } from '../color/lab.js';
import { writeFileAtomic } from '../io/atomic.js';
import { simulateHints } from '../methods/hints.js';
import type { ColorizationMethod } from '../methods/types.js';
import { evaluateImage, MetricsAccumulator, type EvalMetrics } from './evaluate.js';
import type { ColorizeOptions } from './colorize.js';
import { readRasterRgb } from '../io/raster.js';

/** The hint counts evaluated by default. */
export const DEFAULT_HINT_COUNTS = [0, 1, 2, 5, 10, 20, 50, 100];

/** Options of {@link evaluateHintSweep}. */
export interface HintSweepOptions extends ColorizeOptions {
  /** Numbers of hints K [DEFAULT_HINT_COUNTS]. */
  counts?: number[];
  /** Resize every image to evalSize x evalSize first (as evaluateFiles) [full resolution]. */
  evalSize?: number;
  /** The method compared on the same hints (scribble); none to leave it out. */
  compare?: ColorizationMethod;
  /** Model name for the summary. */
  modelLabel?: string | null;
  /** Write an HTML report with the table and the PSNR-vs-K chart. */
  htmlReport?: string;
  /** Called after each image. */
  onImage?: (file: string, error?: unknown) => void;
}

/** One K of the sweep. */
export interface HintSweepRow {
  k: number;
  model: EvalMetrics;
  /** The compared method on the same hints (K = 0: no hint, i.e. gray for scribble). */
  scribble?: EvalMetrics;
}

/** What `medcolor eval --hints` reports. */
export interface HintSweepSummary {
  model: string | null;
  size: number | null;
  n: number;
  rows: HintSweepRow[];
  baseline: { gray: EvalMetrics };
  failed: { file: string; error: string }[];
}

/**
 * Evaluates a hint-taking model method at each K of simulated hints, beside `compare` given the
 * very same hints and the gray baseline.
 *
 * @example
 * const s = await evaluateHintSweep(files, createModelMethod(await loadModel('natural-hints')), { evalSize: 256, compare: getMethod('scribble') });
 * s.rows.find((r) => r.k === 10)?.model.psnr;
 */
export async function evaluateHintSweep(files: string[], method: ColorizationMethod, options: HintSweepOptions = {}): Promise<HintSweepSummary> {
  const counts = options.counts ?? DEFAULT_HINT_COUNTS;
  const accModel = counts.map(() => new MetricsAccumulator());
  const accCmp = counts.map(() => new MetricsAccumulator());
  const gray = new MetricsAccumulator();
  const failed: { file: string; error: string }[] = [];
  for (const [index, file] of files.entries()) {
    try {
      const truth = await readRasterRgb(file, { size: options.evalSize });
      const chroma = srgb8ToAb(truth.data);
      const frame = { width: truth.width, height: truth.height };
      const perK: { m: EvalMetrics; c?: EvalMetrics }[] = [];
      let g: EvalMetrics | undefined;
      for (const k of counts) {
        const strokes = simulateHints(chroma, truth.width, truth.height, { count: k, seed: index + 1 });
        const d = await evaluateImage(truth, method, { ...options, methodOptions: { ...options.methodOptions, ...(k > 0 ? { hints: { strokes, ...frame } } : {}) } });
        g ??= d.grayMetrics;
        let c: EvalMetrics | undefined;
        if (options.compare) c = k > 0 ? (await evaluateImage(truth, options.compare, { ...options, size: undefined, methodOptions: { strokes } })).metrics : d.grayMetrics;
        perK.push({ m: d.metrics, c });
      }
      // Only a fully evaluated image counts, so every K is averaged over the same images.
      perK.forEach((r, i) => { accModel[i].add(r.m); if (r.c) accCmp[i].add(r.c); });
      gray.add(g!);
      options.onImage?.(file);
    } catch (e) {
      failed.push({ file, error: e instanceof Error ? e.message : String(e) });
      options.onImage?.(file, e);
    }
  }
  const summary: HintSweepSummary = {
    model: options.modelLabel ?? null,
    size: options.evalSize ?? null,
    n: gray.n,
    rows: counts.map((k, i) => ({ k, model: accModel[i].mean(), ...(options.compare ? { scribble: accCmp[i].mean() } : {}) })),
    baseline: { gray: gray.mean() },
    failed,
  };
  if (options.htmlReport) await writeFileAtomic(options.htmlReport, renderHintReport(summary));
  return summary;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The chart of PSNR against K (x on a log(1 + K) axis), model and scribble, gray as a dashed line. */
export function renderHintChart(s: HintSweepSummary): string {
  const W = 560, H = 320, ml = 50, mr = 110, mt = 20, mb = 40;
  const xs = s.rows.map((r) => Math.log1p(r.k));
  const values = s.rows.flatMap((r) => [r.model.psnr, r.scribble?.psnr ?? NaN]).concat(s.baseline.gray.psnr).filter(Number.isFinite);
  const lo = Math.floor(Math.min(...values) - 0.5), hi = Math.ceil(Math.max(...values) + 0.5);
  const xMax = Math.max(...xs, 1e-9);
  const px = (x: number) => ml + ((W - ml - mr) * x) / xMax;
  const py = (v: number) => mt + ((H - mt - mb) * (hi - v)) / (hi - lo || 1);
  const line = (vals: number[], color: string, label: string) => {
    const pts = vals.map((v, i) => (Number.isFinite(v) ? `${px(xs[i]).toFixed(1)},${py(v).toFixed(1)}` : '')).filter(Boolean);
    const last = vals.length - 1;
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>` +
      vals.map((v, i) => (Number.isFinite(v) ? `<circle cx="${px(xs[i]).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3" fill="${color}"/>` : '')).join('') +
      `<text x="${px(xs[last]) + 8}" y="${py(vals[last]) + 4}" fill="${color}" font-size="12">${label}</text>`;
  };
  let axes = `<line x1="${ml}" y1="${H - mb}" x2="${W - mr}" y2="${H - mb}" stroke="#333"/><line x1="${ml}" y1="${mt}" x2="${ml}" y2="${H - mb}" stroke="#333"/>`;
  s.rows.forEach((r, i) => { axes += `<text x="${px(xs[i])}" y="${H - mb + 16}" font-size="11" text-anchor="middle">${r.k}</text>`; });
  for (let v = lo; v <= hi; v += Math.max(1, Math.round((hi - lo) / 8))) axes += `<text x="${ml - 6}" y="${py(v) + 4}" font-size="11" text-anchor="end">${v}</text><line x1="${ml}" y1="${py(v)}" x2="${W - mr}" y2="${py(v)}" stroke="#eee"/>`;
  axes += `<text x="${(ml + W - mr) / 2}" y="${H - 6}" font-size="12" text-anchor="middle">number of hints K</text><text x="14" y="${(mt + H - mb) / 2}" font-size="12" transform="rotate(-90 14 ${(mt + H - mb) / 2})" text-anchor="middle">PSNR (dB)</text>`;
  const g = py(s.baseline.gray.psnr);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">${axes}` +
    `<line x1="${ml}" y1="${g}" x2="${W - mr}" y2="${g}" stroke="#888" stroke-dasharray="4 3"/><text x="${W - mr + 8}" y="${g + 4}" font-size="12" fill="#888">gray</text>` +
    line(s.rows.map((r) => r.model.psnr), '#c0392b', 'model') +
    (s.rows.some((r) => r.scribble) ? line(s.rows.map((r) => r.scribble?.psnr ?? NaN), '#2471a3', 'scribble') : '') + '</svg>';
}

function renderHintReport(s: HintSweepSummary): string {
  const f = (m: EvalMetrics | undefined) => (m ? `<td>${m.psnr.toFixed(2)}</td><td>${m.ssim.toFixed(3)}</td><td>${m.deltaE2000.toFixed(2)}</td>` : '<td></td><td></td><td></td>');
  return `<!doctype html><html><head><meta charset="utf-8"><title>medcolor eval --hints${s.model ? `: ${esc(s.model)}` : ''}</title>
<style>body{font-family:system-ui,sans-serif;margin:1em}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right}th{background:#eee}</style></head><body>
<h1>medcolor eval --hints</h1><p>model <b>${esc(s.model ?? '?')}</b>, ${s.n} images, size ${s.size ?? 'full resolution'}; hints simulated from the truth
(methods/hints.ts: Gaussian centers, sigma = size/4; squares of side 1..9 px with the mean true a*b*; seed = image index + 1), the same for the model and scribble.</p>
${renderHintChart(s)}
<table><tr><th>K</th><th colspan="3">model PSNR / SSIM / ΔE2000</th><th colspan="3">scribble PSNR / SSIM / ΔE2000</th></tr>
${s.rows.map((r) => `<tr><td>${r.k}</td>${f(r.model)}${f(r.scribble)}</tr>`).join('\n')}
<tr><td>gray</td>${f(s.baseline.gray)}<td></td><td></td><td></td></tr></table>
${s.failed.length ? `<h2>Failed</h2><ul>${s.failed.map((x) => `<li>${esc(x.file)}: ${esc(x.error)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
