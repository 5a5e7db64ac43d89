/**
 * The browser app's speed and weight: an image (default the 512x512 CT examples/ct-phantom.dcm;
 * `--input FILE` for another, e.g. a full-size radiograph) opened in headless chromium and
 * colorized by the default model, timing decode + colorize + draw inside the page with
 * onnxruntime-web on one WebAssembly thread and with threads (the page is cross-origin isolated),
 * beside the same steps in Node (onnxruntime-node) measured in the same run; and the download
 * size of the app (JavaScript, wasm, models; raw and gzip).
 *
 *   npm run build && npm run bench:web [-- --reps 5] [--input FILE]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeGrayInput } from '../src/io/decode-input.js';
import { decodeRaster } from '../src/io/raster.js';
import { getDefaultModelName, getModelsDir, loadModel } from '../src/io/model-loader.js';
import { createModelMethod } from '../src/methods/model.js';
import { colorizeImage } from '../src/pipeline/colorize.js';
import { act, browserUnavailable, openApp } from '../test/web/browser.js';
import { benchArg as arg, median } from './lib/bench-args.js';

const REPS = Number(arg('--reps', '5')) || 5;
const root = join(import.meta.dirname, '..');
const INPUT = resolve(arg('--input', join(root, 'examples/ct-phantom.dcm')));
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;

const why = browserUnavailable();
if (why) {
  console.log(`bench/web: ${why}`);
  process.exit(1);
}
const model = getDefaultModelName();
if (!model) {
  console.log('bench/web: no shipped model');
  process.exit(1);
}

interface PageFigures {
  decode: number;
  colorize: number;
  draw: number;
  wall: number;
  backend: string;
}

/** Opens the input REPS times (plus one warm-up) in a page with `threads` wasm threads. */
async function measurePage(threads: number): Promise<PageFigures[]> {
  const app = await openApp(`?method=model&model=${model}&backend=wasm&threads=${threads}`);
  const out: PageFigures[] = [];
  try {
    const { page } = app;
    await page.getByTestId('backend').filter({ hasText: 'wasm' }).waitFor();
    for (let r = 0; r <= REPS; r++) {
      const t0 = Date.now();
      const st = await act(page, () => page.getByTestId('file-input').setInputFiles(INPUT), 180_000);
      const wall = Date.now() - t0;
      if (st.state !== 'done') throw new Error(`page: ${st.text}`);
      const t = await page.getByTestId('timings').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      const backend = (await page.locator('[data-timing="ran on"]').innerText()).trim();
      if (r > 0) out.push({ decode: Number(t.decode), colorize: Number(t.colorize), draw: Number(t.draw), wall, backend });
    }
  } finally {
    await app.close();
  }
  return out;
}

/** The input's first frame as the page shows it: its size, for the report. */
let shape = '';

async function measureNode(): Promise<{ decode: number; colorize: number }[]> {
  const bytes = new Uint8Array(readFileSync(INPUT));
  const method = createModelMethod(await loadModel(model!));
  const out: { decode: number; colorize: number }[] = [];
  for (let r = 0; r <= REPS; r++) {
    const t0 = performance.now();
    const [gray] = (await decodeGrayInput(bytes, { name: INPUT, decodeRaster })).frames;
    shape = `${gray.width}x${gray.height}`;
    const t1 = performance.now();
    await colorizeImage(gray, method);
    const t2 = performance.now();
    if (r > 0) out.push({ decode: t1 - t0, colorize: t2 - t1 });
  }
  return out;
}

function sizes(): void {
  const assets = join(root, 'web/dist/assets');
  const rows: { name: string; raw: number; gz: number; kind: string }[] = [];
  for (const f of readdirSync(assets)) {
    const raw = statSync(join(assets, f)).size;
    const kind = /\.(m?js)$/.test(f) ? 'js' : f.endsWith('.wasm') ? 'wasm' : 'other';
    rows.push({ name: f, raw, gz: gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, kind });
  }
  const html = readFileSync(join(root, 'web/dist/index.html'));
  rows.push({ name: 'index.html', raw: html.length, gz: gzipSync(html).length, kind: 'other' });
  const sum = (k: string, key: 'raw' | 'gz') => rows.filter((r) => r.kind === k).reduce((s, r) => s + r[key], 0);
  const ortGlue = rows.filter((r) => r.kind === 'js' && /^(ort|ort-wasm)/.test(r.name));
  const ownJs = rows.filter((r) => r.kind === 'js' && !/^(ort|ort-wasm|dcmjs-codecs)/.test(r.name));
  console.log('\ndownload size (web/dist; gzip -9):');
  console.log(`  JavaScript, all:            ${kib(sum('js', 'raw'))} raw, ${kib(sum('js', 'gz'))} gzip (${rows.filter((r) => r.kind === 'js').length} files, loaded on demand)`);
  console.log(`    the app's own + library:  ${kib(ownJs.reduce((s, r) => s + r.gz, 0))} gzip (limit 1024 KiB)`);
  console.log(`    onnxruntime-web glue:     ${kib(ortGlue.reduce((s, r) => s + r.gz, 0))} gzip`);
  console.log(`    dcmjs-codecs (12-bit JPEG only): ${kib(rows.find((r) => r.name.startsWith('dcmjs-codecs') && r.kind === 'js')?.gz ?? 0)} gzip`);
  console.log(`  wasm, all:                  ${mib(sum('wasm', 'raw'))} raw, ${mib(sum('wasm', 'gz'))} gzip`);
  for (const r of rows.filter((x) => x.kind === 'wasm').sort((a, b) => b.raw - a.raw)) {
    console.log(`    ${r.name.padEnd(52)} ${mib(r.raw).padStart(10)} raw ${mib(r.gz).padStart(10)} gzip`);
  }
  const modelsDir = getModelsDir();
  console.log('  models:');
  for (const f of readdirSync(modelsDir).filter((x) => x.endsWith('.onnx'))) {
    const b = readFileSync(join(modelsDir, f));
    console.log(`    ${f.padEnd(52)} ${mib(b.length).padStart(10)} raw ${mib(gzipSync(b).length).padStart(10)} gzip`);
  }
}

const node = await measureNode();
const single = await measurePage(1);
const threaded = await measurePage(0);
const nodeAgain = await measureNode(); // the machine is shared: measure Node before and after
const nodeAll = [...node, ...nodeAgain];
const nodeTotal = median(nodeAll.map((r) => r.decode + r.colorize));
console.log(`${shape} ${INPUT.replace(root + '/', '')}, model ${model}, ${REPS} runs each (median; first run discarded):`);
console.log(`  Node (onnxruntime-node):    decode ${median(nodeAll.map((r) => r.decode)).toFixed(1)} ms + colorize ${median(nodeAll.map((r) => r.colorize)).toFixed(1)} ms = ${nodeTotal.toFixed(1)} ms`);
for (const [label, rows] of [['page, wasm 1 thread', single], ['page, wasm threads', threaded]] as const) {
  const total = median(rows.map((r) => r.decode + r.colorize + r.draw));
  console.log(
    `  ${`${label}:`.padEnd(27)} decode ${median(rows.map((r) => r.decode)).toFixed(1)} ms + colorize ${median(rows.map((r) => r.colorize)).toFixed(1)} ms ` +
      `+ draw ${median(rows.map((r) => r.draw)).toFixed(1)} ms = ${total.toFixed(1)} ms (${rows[0].backend}); ` +
      `ratio to Node ${(total / nodeTotal).toFixed(2)}; file-input to result ${median(rows.map((r) => r.wall))} ms`,
  );
}
sizes();
