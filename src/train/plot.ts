/**
 * A small line-chart renderer (SVG) for training curves, with a left and a right y axis.
 */
export interface Series {
  name: string;
  points: [number, number][];
  axis: 'left' | 'right';
}

/** One epoch line of a run's log.jsonl. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  psnr: number;
}

/** The training chart of a run: train and val loss (log axis, left), val PSNR (right). */
export function renderTrainingCurves(epochs: EpochRecord[], title = 'medcolor training'): string {
  return renderCurves([
    { name: 'train loss', points: epochs.map((e) => [e.epoch, e.trainLoss]), axis: 'left' },
    { name: 'val loss', points: epochs.map((e) => [e.epoch, e.valLoss]), axis: 'left' },
    { name: 'val PSNR (dB)', points: epochs.map((e) => [e.epoch, e.psnr]), axis: 'right' },
  ], { title, xLabel: 'epoch', logLeft: true });
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

function range(values: number[]): [number, number] {
  const v = values.filter(Number.isFinite);
  if (!v.length) return [0, 1];
  let lo = Math.min(...v), hi = Math.max(...v);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * Renders series as an SVG document.
 *
 * @example
 * renderCurves([{ name: 'loss', points: [[1, 0.5], [2, 0.3]], axis: 'left' }], { title: 'run' });
 */
export function renderCurves(series: Series[], o: { title?: string; xLabel?: string; width?: number; height?: number; logLeft?: boolean } = {}): string {
  // Losses span orders of magnitude: a log10 left axis keeps the late epochs readable.
  if (o.logLeft) series = series.map((s) => (s.axis === 'left' ? { ...s, points: s.points.filter((p) => p[1] > 0).map(([x, y]) => [x, Math.log10(y)] as [number, number]) } : s));
  const leftLabel = (v: number) => (o.logLeft ? (10 ** v).toPrecision(2) : v.toPrecision(3));
  const W = o.width ?? 800, H = o.height ?? 450;
  const m = { l: 70, r: 70, t: 40, b: 50 };
  const xs = range(series.flatMap((s) => s.points.map((p) => p[0])));
  const yl = range(series.filter((s) => s.axis === 'left').flatMap((s) => s.points.map((p) => p[1])));
  const yr = range(series.filter((s) => s.axis === 'right').flatMap((s) => s.points.map((p) => p[1])));
  const px = (x: number) => m.l + ((x - xs[0]) / (xs[1] - xs[0])) * (W - m.l - m.r);
  const py = (y: number, r: [number, number]) => H - m.b - ((y - r[0]) / (r[1] - r[0])) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#888"/>`,
  ];
  if (o.title) parts.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${esc(o.title)}</text>`);
  for (let k = 0; k <= 4; k++) {
    const fy = m.t + (k / 4) * (H - m.t - m.b);
    const vl = yl[1] - (k / 4) * (yl[1] - yl[0]);
    const vr = yr[1] - (k / 4) * (yr[1] - yr[0]);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${fy}" y2="${fy}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${fy + 4}" text-anchor="end">${leftLabel(vl)}</text>`);
    parts.push(`<text x="${W - m.r + 6}" y="${fy + 4}">${vr.toPrecision(3)}</text>`);
    const vx = xs[0] + (k / 4) * (xs[1] - xs[0]);
    parts.push(`<text x="${px(vx)}" y="${H - m.b + 18}" text-anchor="middle">${vx.toFixed(1)}</text>`);
  }
  if (o.xLabel) parts.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  series.forEach((s, i) => {
    const r = s.axis === 'left' ? yl : yr;
    const pts = s.points.filter((p) => Number.isFinite(p[1])).map((p) => `${px(p[0]).toFixed(1)},${py(p[1], r).toFixed(1)}`);
    const c = COLORS[i % COLORS.length];
    if (pts.length) parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.5" fill="${c}"/>`);
    parts.push(`<rect x="${m.l + 10}" y="${m.t + 8 + i * 18}" width="12" height="4" fill="${c}"/><text x="${m.l + 28}" y="${m.t + 14 + i * 18}">${esc(s.name)} (${s.axis}${s.axis === 'left' && o.logLeft ? ', log' : ''})</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
