/**
 * The page: files, the two linked views, the method panel, status and downloads. It translates
 * DOM events into worker requests (worker.ts runs the library) and draws what comes back.
 */
import './styles.css';
import type {
  BackendReply,
  ColorizeReply,
  ExportReply,
  FileSummary,
  MethodSpec,
  StrokeSpec,
  Timings,
  ViewReply,
  WindowSpec,
} from './protocol.js';
import { overlayConfidence } from './confidence-overlay.js';
import { Viewer } from './viewer.js';
import { WorkerClient, WorkerError } from './worker-client.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

interface OpenFile {
  name: string;
  bytes: ArrayBuffer;
  /** The .img of a NIfTI .hdr/.img pair dropped together. */
  companion?: ArrayBuffer;
  summary?: FileSummary;
  error?: WorkerError;
  /** Per-file view state. */
  frame: number;
  window?: WindowSpec;
  strokes: StrokeSpec[];
  decodeMs?: number;
}

const params = new URLSearchParams(location.search);
const client = new WorkerClient();
const files: OpenFile[] = [];
let current = -1;
let referenceId: number | undefined;
let referenceFile: { name: string; bytes: ArrayBuffer } | undefined;
let generation = 0;
let lastTimings: Timings = {};
let lastBackend = '';
let hasResult = false;

const statusEl = $('status');
const viewer = new Viewer({
  viewport: $('viewport'),
  inputPane: $('pane-input'),
  outputPane: $('pane-output'),
  inputLayer: $('layer-input'),
  outputLayer: $('layer-output'),
  input: $<HTMLCanvasElement>('input-canvas'),
  paint: $<HTMLCanvasElement>('paint-canvas'),
  output: $<HTMLCanvasElement>('output-canvas'),
  onZoom: (scale) => ($('zoom-readout').textContent = `${Math.round(scale * 100)}%`),
  onWindowDrag: (dx, dy, done) => dragWindow(dx, dy, done),
  onStroke: (stroke) => addStroke(stroke),
  strokeStyle: () => ({ color: $<HTMLInputElement>('stroke-color').value, width: Number($<HTMLInputElement>('stroke-width').value) }),
});

// ---------- status ----------

function setStatus(state: 'idle' | 'working' | 'done' | 'error', text: string, extra: { ms?: number; code?: string; fraction?: number } = {}): void {
  statusEl.dataset.state = state;
  // Counts finished operations, so a driver can wait for the result of its own action.
  if (state === 'done' || state === 'error') statusEl.dataset.seq = String(Number(statusEl.dataset.seq ?? 0) + 1);
  if (extra.ms !== undefined) statusEl.dataset.ms = String(Math.round(extra.ms));
  if (state === 'error') statusEl.dataset.code = extra.code ?? 'ERR_INTERNAL';
  else delete statusEl.dataset.code;
  $('status-text').textContent = text;
  const bar = $<HTMLProgressElement>('progress');
  bar.hidden = state !== 'working';
  if (extra.fraction !== undefined) bar.value = extra.fraction;
  else bar.removeAttribute('value');
  $<HTMLButtonElement>('cancel').disabled = state !== 'working';
}

function showError(e: unknown): void {
  if (e instanceof WorkerError && e.code === 'ERR_CANCELLED') {
    setStatus('idle', 'Cancelled.');
    return;
  }
  const code = e instanceof WorkerError ? e.code : 'ERR_INTERNAL';
  const message = e instanceof Error ? e.message : String(e);
  setStatus('error', `${code}: ${message}`, { code });
}

const fmt = (ms?: number) => (ms === undefined ? '—' : ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`);

function showTimings(): void {
  const f = files[current];
  const rows: [string, string][] = [
    ['decode', fmt(f?.decodeMs)],
    ['colorize', fmt(lastTimings.colorize)],
    ['encode', fmt(lastTimings.encode)],
    ['draw', fmt(lastTimings.draw)],
    ['ran on', lastBackend || '—'],
  ];
  const el = $('timings');
  el.innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd data-timing="${k}">${escapeHtml(v)}</dd>`).join('');
  // Machine-readable copies (milliseconds) for drivers such as bench/web.ts.
  const ms = { decode: f?.decodeMs, colorize: lastTimings.colorize, encode: lastTimings.encode, draw: lastTimings.draw };
  for (const [k, v] of Object.entries(ms)) {
    if (v === undefined) delete el.dataset[k];
    else el.dataset[k] = v.toFixed(2);
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

// ---------- method panel ----------

const methodSel = $<HTMLSelectElement>('method');
const modelSel = $<HTMLSelectElement>('model');
const paletteSel = $<HTMLSelectElement>('palette');
const lutModeSel = $<HTMLSelectElement>('lut-mode');
const evaluateBox = $<HTMLInputElement>('evaluate');
const confidenceBox = $<HTMLInputElement>('confidence');


function methodSpec(): MethodSpec {
  const f = files[current];
  const spec: MethodSpec = { method: methodSel.value };
  if (spec.method === 'model') spec.model = modelSel.value || undefined;
  if (spec.method === 'lut' || spec.method === 'kmeans') spec.palette = paletteSel.value;
  if (spec.method === 'lut') spec.lutMode = lutModeSel.value as 'preserve' | 'classic';
  if (['transfer', 'welsh', 'kmeans'].includes(spec.method) && referenceId !== undefined) spec.referenceId = referenceId;
  if (spec.method === 'scribble' || (spec.method === 'model' && modelTakesHints())) spec.strokes = f?.strokes ?? [];
  return spec;
}

const hintModels = new Set<string>();
/** Whether the chosen model takes color hints (then painting gives it point hints). */
const modelTakesHints = () => methodSel.value === 'model' && hintModels.has(modelSel.value);

function updateMethodFields(): void {
  const m = methodSel.value;
  for (const el of document.querySelectorAll<HTMLElement>('[data-for]')) {
    const shows = el.dataset.for!.split(' ');
    el.hidden = !(shows.includes(m) || (shows.includes('scribble') && modelTakesHints()));
  }
  if (m === 'scribble') viewer.setTool('paint');
  else if (viewer.tool === 'paint' && !modelTakesHints()) viewer.setTool('window');
  syncToolButtons();
}

async function loadModels(): Promise<void> {
  try {
    const res = await fetch(new URL('models/index.json', document.baseURI));
    const index = (await res.json()) as { default: string | null; models: { name: string; trainedOn?: string; hints?: boolean }[] };
    for (const m of index.models) if (m.hints) hintModels.add(m.name);
    modelSel.innerHTML = index.models
      .map(
        (m) =>
          `<option value="${m.name}"${m.name === index.default ? ' selected' : ''} title="${escapeHtml(m.trainedOn ?? '')}">` +
          `${m.name}${m.name === index.default ? ' (default)' : ''}${m.hints ? ' · takes hints' : ''}</option>`,
      )
      .join('');
    if (index.models.length === 0) {
      modelSel.innerHTML = '<option value="">no shipped model</option>';
      if (methodSel.value === 'model') methodSel.value = 'lut';
    }
  } catch {
    modelSel.innerHTML = '<option value="">models unavailable</option>';
    if (methodSel.value === 'model') methodSel.value = 'lut';
  }
  const m = params.get('method');
  if (m) methodSel.value = m;
  const model = params.get('model');
  if (model) modelSel.value = model;
  updateMethodFields();
}

async function configureBackend(): Promise<void> {
  const threads = Number(params.get('threads') ?? 0) || 0;
  const prefer = params.get('backend') === 'wasm' ? 'wasm' : 'auto';
  const r = await client.request<BackendReply>({ type: 'backend', prefer, threads, modelsBase: new URL('models/', document.baseURI).href });
  if (!paletteSel.options.length) {
    paletteSel.innerHTML = r.palettes.map((p) => `<option value="${p}">${p}</option>`).join('');
    $<HTMLSelectElement>('preset').insertAdjacentHTML(
      'beforeend',
      r.ctPresets.map((p) => `<option value="${p.center}/${p.width}" data-ct>CT ${p.name} (${p.center}/${p.width})</option>`).join(''),
    );
  }
  $('backend').textContent = `${r.webgpu ? 'WebGPU' : 'no WebGPU'} · ${r.backend}`;
  $('backend').title = r.isolated ? 'cross-origin isolated: WebAssembly threads available' : 'not cross-origin isolated: one WebAssembly thread';
}

// ---------- files ----------

function renderFileList(): void {
  const list = $('file-list');
  if (files.length === 0) {
    list.innerHTML = '<li class="empty">Drop files anywhere</li>';
    return;
  }
  list.innerHTML = '';
  files.forEach((f, i) => {
    const li = document.createElement('li');
    li.className = (i === current ? 'active ' : '') + (f.error ? 'error' : '');
    li.dataset.index = String(i);
    li.title = f.error ? `${f.error.code}: ${f.error.message}` : f.name;
    const meta = f.summary ? `${f.summary.modality ?? f.summary.format} ${f.summary.width}×${f.summary.height}${f.summary.frames > 1 ? `×${f.summary.frames}` : ''}` : f.error ? f.error.code : '…';
    li.innerHTML = `<span class="name">${escapeHtml(f.name)}</span><span class="meta">${escapeHtml(meta)}</span>`;
    li.onclick = () => void selectFile(i);
    list.appendChild(li);
  });
}

function renderHeader(): void {
  const f = files[current];
  const s = f?.summary;
  const dl = $('header-info');
  if (!s) {
    dl.innerHTML = f?.error ? `<dt>error</dt><dd>${escapeHtml(f.error.code)}</dd>` : '';
    $('notices').innerHTML = '';
    return;
  }
  const rows: [string, string | undefined][] = [
    ['format', s.format.toUpperCase()],
    ['modality', s.modality],
    ['size', `${s.width} × ${s.height}`],
    ['frames', String(s.frames)],
    ['photometric', s.photometric],
    ['transfer syntax', s.transferSyntax],
    ['bits', s.bits],
    ['units', s.units || undefined],
    ['window', s.windows[0] ? `${s.windows[0].center} / ${s.windows[0].width}` : 'none (data range)'],
    ['range', `${round(s.range[0])} … ${round(s.range[1])}`],
  ];
  dl.innerHTML = rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<dt>${k}</dt><dd data-field="${k}">${escapeHtml(v!)}</dd>`)
    .join('');
  $('notices').innerHTML = s.notices.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
}

const round = (v: number) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100);

async function openFiles(list: FileList | File[]): Promise<void> {
  await initialized;
  await restarting;
  const added: number[] = [];
  const all = Array.from(list);
  // A NIfTI .hdr/.img pair dropped together is one volume.
  const stemOf = (n: string) => n.replace(/\.(hdr|img)(\.gz)?$/i, '').toLowerCase();
  const images = new Map(all.filter((f) => /\.img(\.gz)?$/i.test(f.name)).map((f) => [stemOf(f.name), f]));
  const paired = new Set<File>();
  for (const file of all) {
    if (/\.hdr(\.gz)?$/i.test(file.name) && images.has(stemOf(file.name))) paired.add(images.get(stemOf(file.name))!);
  }
  for (const file of all) {
    if (paired.has(file)) continue;
    const img = /\.hdr(\.gz)?$/i.test(file.name) ? images.get(stemOf(file.name)) : undefined;
    const entry: OpenFile = { name: file.name, bytes: await file.arrayBuffer(), companion: await img?.arrayBuffer(), frame: 0, strokes: [] };
    files.push(entry);
    added.push(files.length - 1);
  }
  renderFileList();
  for (const i of added) {
    await openInWorker(files[i]);
    renderFileList();
  }
  // The first readable one is shown (and colorized) once all are in the list.
  const first = added.find((i) => files[i].summary) ?? added[0];
  if (first !== undefined) await selectFile(first);
}

async function openInWorker(f: OpenFile, quiet = false): Promise<void> {
  if (!quiet) setStatus('working', `Reading ${f.name}…`);
  try {
    const r = await client.request<{ summary: FileSummary; timings: Timings }>({
      type: 'open',
      name: f.name,
      bytes: f.bytes.slice(0),
      companion: f.companion?.slice(0),
    });
    f.summary = r.summary;
    f.decodeMs = r.timings.decode;
    f.error = undefined;
    if (!quiet) setStatus('idle', `Opened ${f.name}.`);
  } catch (e) {
    f.error = e instanceof WorkerError ? e : new WorkerError('ERR_INTERNAL', String(e));
    f.summary = undefined;
    showError(e);
  }
}

/** Set while a fresh worker (after a cancel) reopens the files; requests wait for it. */
let restarting: Promise<void> | undefined;

client.onRestart = async () => {
  await configureBackend();
  // The fresh worker knows no file: open them again (quietly: the status says 'Cancelled').
  for (const f of files) if (f.summary) await openInWorker(f, true);
  if (referenceFile) await loadReference(referenceFile.name, referenceFile.bytes);
};

async function selectFile(i: number): Promise<void> {
  current = i;
  hasResult = false;
  renderFileList();
  renderHeader();
  const f = files[i];
  const s = f.summary;
  $('empty-stage').hidden = !!s;
  if (!s) {
    updateDownloads();
    if (f.error) showError(f.error);
    return;
  }
  const bar = $('framebar');
  bar.hidden = s.frames <= 1;
  const slider = $<HTMLInputElement>('frame');
  slider.max = String(s.frames - 1);
  slider.value = String(f.frame);
  $('frame-readout').textContent = `${f.frame + 1} / ${s.frames}`;
  for (const o of $<HTMLSelectElement>('preset').querySelectorAll<HTMLOptionElement>('option[data-ct]')) o.hidden = !s.hu;
  $('eval-row').hidden = !s.color;
  if (!s.color) evaluateBox.checked = false;
  viewer.setImageSize(s.width, s.height);
  viewer.setStrokes(f.strokes);
  viewer.fit();
  showTimings();
  await renderInput();
  await colorize();
}

// ---------- the input view and window/level ----------

let viewInFlight = false;
let viewQueued = false;

async function renderInput(): Promise<void> {
  await restarting;
  const f = files[current];
  if (!f?.summary) return;
  if (viewInFlight) {
    viewQueued = true;
    return;
  }
  viewInFlight = true;
  try {
    const r = await client.request<ViewReply>({ type: 'view', fileId: f.summary.fileId, frame: f.frame, window: f.window, truth: evaluateBox.checked });
    viewer.drawInput(r.width, r.height, new Uint8ClampedArray(r.rgba));
  } catch (e) {
    showError(e);
  } finally {
    viewInFlight = false;
  }
  updateWindowReadout();
  if (viewQueued) {
    viewQueued = false;
    await renderInput();
  }
}

function effectiveWindow(s: FileSummary, f: OpenFile): WindowSpec {
  if (f.window) return f.window;
  if (s.windows[0]) return s.windows[0];
  return { center: (s.range[0] + s.range[1]) / 2, width: Math.max(1, s.range[1] - s.range[0]) };
}

function updateWindowReadout(): void {
  const f = files[current];
  if (!f?.summary) return;
  const w = effectiveWindow(f.summary, f);
  $('wl-readout').textContent = `W ${round(w.width)}  L ${round(w.center)}`;
}

function dragWindow(dx: number, dy: number, done: boolean): void {
  const f = files[current];
  if (!f?.summary || evaluateBox.checked) return;
  const s = f.summary;
  const w = effectiveWindow(s, f);
  // One screen pixel moves the window by 1/400 of the data range (like common viewers).
  const unit = Math.max(s.range[1] - s.range[0], 1) / 400;
  f.window = { center: w.center + dy * unit, width: Math.max(1, w.width + dx * unit) };
  $<HTMLSelectElement>('preset').value = '';
  void renderInput();
  if (done) scheduleColorize(0);
}

$<HTMLSelectElement>('preset').onchange = (ev) => {
  const f = files[current];
  if (!f) return;
  const v = (ev.target as HTMLSelectElement).value;
  if (!v) f.window = undefined;
  else {
    const [center, width] = v.split('/').map(Number);
    f.window = { center, width };
  }
  void renderInput().then(() => scheduleColorize(0));
};

$<HTMLInputElement>('frame').oninput = (ev) => {
  const f = files[current];
  if (!f?.summary) return;
  f.frame = Number((ev.target as HTMLInputElement).value);
  $('frame-readout').textContent = `${f.frame + 1} / ${f.summary.frames}`;
  void renderInput();
  scheduleColorize(120);
};

// ---------- colorize ----------

let colorizeTimer: number | undefined;
function scheduleColorize(ms = 150): void {
  clearTimeout(colorizeTimer);
  // Marks a colorization as due, so a driver can wait for the page to be quiet before acting.
  statusEl.dataset.scheduled = 'true';
  colorizeTimer = window.setTimeout(() => {
    delete statusEl.dataset.scheduled;
    void colorize();
  }, ms);
}

async function colorize(): Promise<void> {
  await restarting;
  const f = files[current];
  if (!f?.summary) return;
  const gen = ++generation;
  const spec = methodSpec();
  if (spec.method === 'scribble' && !spec.strokes?.length) {
    setStatus('idle', 'Paint strokes on the input to colorize with scribble.');
    viewer.clearOutput();
    hasResult = false;
    updateDownloads();
    return;
  }
  setStatus('working', `Colorizing with ${spec.method === 'model' ? `model ${spec.model}` : spec.method}…`);
  try {
    const r = await client.request<ColorizeReply>(
      { type: 'colorize', fileId: f.summary.fileId, frame: f.frame, window: f.window, spec, evaluate: evaluateBox.checked, confidence: confidenceBox.checked },
      {
        onProgress: (stage, fraction) => {
          if (gen === generation) setStatus('working', `${stage[0].toUpperCase()}${stage.slice(1)}…`, { fraction });
        },
      },
    );
    if (gen !== generation) return; // a newer request superseded this one
    const t0 = performance.now();
    const rgba = new Uint8ClampedArray(r.rgba);
    viewer.drawOutput(r.width, r.height, confidenceBox.checked && r.confidence ? overlayConfidence(rgba, new Uint8Array(r.confidence)) : rgba);
    showWarnings(r.warnings, confidenceBox.checked && !r.confidence ? `${spec.method} gives no confidence map` : undefined);
    lastTimings = { ...r.timings, draw: performance.now() - t0 };
    lastBackend = r.backend;
    hasResult = true;
    showTimings();
    showEvaluation(r.evaluation);
    setStatus('done', `Done in ${fmt(r.timings.colorize)} (${r.backend}).`, { ms: r.timings.colorize });
  } catch (e) {
    if (gen !== generation) return;
    hasResult = false;
    viewer.clearOutput();
    showError(e);
  }
  updateDownloads();
}

/** The method's warnings (e.g. WARN_OUT_OF_DOMAIN) and a note, under the status line. */
function showWarnings(warnings: string[], note?: string): void {
  const el = $('warnings');
  const lines = [...warnings, ...(note ? [note] : [])];
  el.hidden = lines.length === 0;
  el.textContent = lines.join('\n');
}

function showEvaluation(ev: ColorizeReply['evaluation']): void {
  const panel = $('eval-panel');
  panel.hidden = !ev;
  if (!ev) return;
  const row = (name: string, m: { psnr: number; ssim: number; deltaE2000: number }, better: boolean) =>
    `<tr class="${better ? 'better' : ''}" data-row="${name}"><td>${name}</td><td>${m.psnr.toFixed(2)}</td><td>${m.ssim.toFixed(3)}</td><td>${m.deltaE2000.toFixed(2)}</td></tr>`;
  $('metrics-body').innerHTML =
    row(methodSel.value === 'model' ? `model ${modelSel.value}` : methodSel.value, ev.method, ev.method.psnr > ev.gray.psnr) +
    row('gray baseline', ev.gray, false);
}

methodSel.onchange = () => {
  updateMethodFields();
  scheduleColorize(0);
};
modelSel.onchange = () => {
  updateMethodFields();
  scheduleColorize(0);
};
for (const el of [paletteSel, lutModeSel]) el.onchange = () => scheduleColorize(0);
evaluateBox.onchange = () => void renderInput().then(() => scheduleColorize(0));
confidenceBox.onchange = () => scheduleColorize(0);
$('run').onclick = () => void colorize();
$('cancel').onclick = () => {
  generation++;
  restarting = client.cancel().finally(() => (restarting = undefined));
  setStatus('idle', 'Cancelled.');
};

// ---------- reference image ----------

async function loadReference(name: string, bytes: ArrayBuffer): Promise<void> {
  try {
    const r = await client.request<{ referenceId: number; width: number; height: number }>({ type: 'reference', name, bytes: bytes.slice(0) });
    referenceId = r.referenceId;
    referenceFile = { name, bytes };
    $('reference-name').textContent = `${name} (${r.width}×${r.height})`;
  } catch (e) {
    referenceId = undefined;
    $('reference-name').textContent = 'none';
    showError(e);
  }
}

$<HTMLInputElement>('reference-input').onchange = async (ev) => {
  const file = (ev.target as HTMLInputElement).files?.[0];
  if (!file) return;
  await restarting;
  await loadReference(file.name, await file.arrayBuffer());
  scheduleColorize(0);
};

// ---------- scribble strokes ----------

function addStroke(stroke: StrokeSpec): void {
  const f = files[current];
  if (!f?.summary) return;
  f.strokes.push(stroke);
  viewer.setStrokes(f.strokes);
  if (methodSel.value !== 'scribble' && !modelTakesHints()) {
    methodSel.value = 'scribble';
    updateMethodFields();
  }
  scheduleColorize(0);
}

$('undo').onclick = () => {
  const f = files[current];
  if (!f) return;
  f.strokes.pop();
  viewer.setStrokes(f.strokes);
  scheduleColorize(0);
};
$('clear').onclick = () => {
  const f = files[current];
  if (!f) return;
  f.strokes = [];
  viewer.setStrokes(f.strokes);
  scheduleColorize(0);
};

// ---------- tools, views, zoom ----------

function syncToolButtons(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('button.tool')) b.classList.toggle('active', b.dataset.tool === viewer.tool);
}
for (const b of document.querySelectorAll<HTMLButtonElement>('button.tool')) {
  b.onclick = () => {
    viewer.setTool(b.dataset.tool as 'window' | 'pan' | 'paint');
    syncToolButtons();
  };
}
for (const b of document.querySelectorAll<HTMLButtonElement>('button.view')) {
  b.onclick = () => {
    viewer.setView(b.dataset.view as 'side' | 'slider');
    for (const o of document.querySelectorAll<HTMLButtonElement>('button.view')) o.classList.toggle('active', o === b);
  };
}
$<HTMLInputElement>('split').oninput = (ev) => viewer.setSplit(Number((ev.target as HTMLInputElement).value) / 100);
$('zoom-fit').onclick = () => viewer.fit();
$('zoom-1').onclick = () => viewer.zoomTo(1);

// ---------- downloads ----------

function updateDownloads(): void {
  const s = files[current]?.summary;
  $<HTMLButtonElement>('dl-png').disabled = !hasResult;
  $<HTMLButtonElement>('dl-dcm').disabled = !hasResult;
  $<HTMLButtonElement>('dl-nii').disabled = !hasResult || !s || s.frames < 2;
}

async function download(format: 'png' | 'dcm' | 'nii'): Promise<void> {
  await restarting;
  const f = files[current];
  if (!f?.summary) return;
  setStatus('working', `Encoding ${format.toUpperCase()}…`);
  try {
    const r = await client.request<ExportReply & { ms: number }>(
      { type: 'export', fileId: f.summary.fileId, frame: f.frame, format, window: f.window, spec: methodSpec() },
      { onProgress: (stage, fraction) => setStatus('working', `${stage}…`, { fraction }) },
    );
    lastTimings = { ...lastTimings, encode: r.ms };
    showTimings();
    const url = URL.createObjectURL(new Blob([r.bytes], { type: r.mime }));
    const a = document.createElement('a');
    a.href = url;
    a.download = r.name;
    a.dataset.testid = 'download-link';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setStatus('done', `Saved ${r.name} (${(r.bytes.byteLength / 1024).toFixed(0)} KiB, ${fmt(r.ms)}).`);
  } catch (e) {
    showError(e);
  }
}
$('dl-png').onclick = () => void download('png');
$('dl-dcm').onclick = () => void download('dcm');
$('dl-nii').onclick = () => void download('nii');

// ---------- open: picker and drag-and-drop ----------

$<HTMLInputElement>('file-input').onchange = async (ev) => {
  const input = ev.target as HTMLInputElement;
  if (input.files?.length) await openFiles(input.files);
  input.value = '';
};
let dragDepth = 0;
window.addEventListener('dragenter', (e) => {
  e.preventDefault();
  dragDepth++;
  $('dropzone').classList.add('on');
});
window.addEventListener('dragleave', () => {
  if (--dragDepth <= 0) $('dropzone').classList.remove('on');
});
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  $('dropzone').classList.remove('on');
  if (e.dataTransfer?.files.length) void openFiles(e.dataTransfer.files);
});
window.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
  if (e.key === 'ArrowDown' && current < files.length - 1) void selectFile(current + 1);
  if (e.key === 'ArrowUp' && current > 0) void selectFile(current - 1);
});

// Offline once loaded: a service worker keeps the app's own files (production builds only).
if (import.meta.env.PROD && 'serviceWorker' in navigator && params.get('sw') !== '0') {
  navigator.serviceWorker.register(new URL('sw.js', document.baseURI)).catch(() => {});
}

updateMethodFields();
showTimings();
setStatus('idle', 'Ready. Open a file to begin.');
// Files dropped before the method panel is set up wait for it.
const initialized = configureBackend()
  .then(loadModels)
  .catch(showError)
  .finally(() => (document.body.dataset.ready = 'true'));
