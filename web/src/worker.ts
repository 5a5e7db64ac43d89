/**
 * The app's Web Worker: decodes files, colorizes, evaluates and encodes with the library, so the
 * page stays responsive. It only translates messages into library calls (see protocol.ts).
 */
import {
  colorizeImage,
  confidenceToGray8,
  createModelMethod,
  CT_WINDOW_PRESETS,
  evaluateImage,
  getMethod,
  grayToDisplay,
  isMedcolorError,
  listPalettes,
  MedcolorError,
  type ColorizationMethod,
  type ColorizeOptions,
  type ColorizeOutput,
  type GrayImage,
  type MethodOptions,
  type RgbImage,
} from '../../src/browser.js';
import { configureBackend, describeBackend, hasWebGpu, loadWebModel, threadCount } from './ort-backend.js';
import type {
  BackendReply,
  ColorizeReply,
  ExportReply,
  FileSummary,
  MethodSpec,
  Reply,
  Request,
  ViewReply,
  WindowSpec,
} from './protocol.js';
import { readInput, readReference, type OpenedInput } from './read-input.js';
import { encodeExport } from './export.js';

const files = new Map<number, OpenedInput>();
const references = new Map<number, RgbImage>();
let nextId = 1;
let modelsBase = new URL('../models/', self.location.href).href;

const post = (msg: Reply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

function getFile(fileId: number): OpenedInput {
  const f = files.get(fileId);
  if (!f) throw new MedcolorError('ERR_USAGE', `no open file with id ${fileId}`);
  return f;
}

function getFrame(f: OpenedInput, frame: number): GrayImage {
  const g = f.frames[frame];
  if (!g) throw new MedcolorError('ERR_DICOM_FRAME', `frame ${frame} does not exist; valid: 0..${f.frames.length - 1}`, { file: f.name });
  return g;
}

/** RGB -> RGBA for ImageData. */
function toRgba(rgb: Uint8Array, n: number): ArrayBuffer {
  const out = new Uint8ClampedArray(4 * n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[j] = rgb[3 * i];
    out[j + 1] = rgb[3 * i + 1];
    out[j + 2] = rgb[3 * i + 2];
    out[j + 3] = 255;
  }
  return out.buffer;
}

function summarize(fileId: number, f: OpenedInput): FileSummary {
  const g = f.frames[0];
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < g.data.length; i++) {
    const v = g.data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const m = g.meta;
  return {
    fileId,
    name: f.name,
    format: f.format,
    width: g.width,
    height: g.height,
    frames: f.frames.length,
    modality: m.modality,
    photometric: m.photometric,
    transferSyntax: f.transferSyntax,
    bits: m.bitsStored ? `${m.bitsStored} stored / ${m.bitsAllocated} allocated${m.signed ? ', signed' : ''}` : undefined,
    units: m.units,
    windows: (m.windows ?? []).map((w) => ({ center: w.center, width: w.width })),
    range: [lo, hi],
    color: !!f.truth,
    hu: m.units === 'HU',
    notices: f.notices,
  };
}

function methodOptionsOf(spec: MethodSpec): MethodOptions {
  const o: MethodOptions = {};
  if (spec.palette) o.palette = spec.palette;
  if (spec.lutMode) o.mode = spec.lutMode;
  if (spec.seed !== undefined) o.seed = spec.seed;
  if (spec.decode !== undefined) o.decode = spec.decode;
  if (spec.temperature !== undefined) o.temperature = spec.temperature;
  if (spec.referenceId !== undefined) {
    const ref = references.get(spec.referenceId);
    if (!ref) throw new MedcolorError('ERR_USAGE', 'the reference image is no longer open; drop it again');
    o.reference = ref;
  }
  if (spec.strokes) o.strokes = spec.strokes.map((s) => ({ points: s.points, width: s.width, color: s.color }));
  return o;
}

async function resolveMethod(spec: MethodSpec, id: number): Promise<{ method: ColorizationMethod; backend: string; takesHints?: boolean }> {
  if (spec.method === 'model') {
    if (!spec.model) throw new MedcolorError('ERR_MODEL_NOT_FOUND', 'no model chosen; the server lists no shipped model');
    const { model, kind } = await loadWebModel(spec.model, modelsBase, (fraction) =>
      post({ id, progress: { stage: `downloading model ${spec.model}`, fraction } }),
    );
    return { method: createModelMethod(model), backend: describeBackend(kind), takesHints: (model as { takesHints?: boolean }).takesHints === true };
  }
  const method = getMethod(spec.method);
  if (method.needsReference && spec.referenceId === undefined) {
    throw new MedcolorError('ERR_USAGE', `method ${spec.method} needs a color reference image: drop one on the reference field`);
  }
  if (spec.method === 'scribble' && !spec.strokes?.length) {
    throw new MedcolorError('ERR_BAD_STROKES', 'method scribble needs strokes: paint on the input image');
  }
  return { method, backend: 'JavaScript' };
}

function pipelineOptions(window: WindowSpec | undefined, spec: MethodSpec, frame?: GrayImage, takesHints?: boolean): ColorizeOptions {
  const methodOptions = methodOptionsOf(spec);
  if (spec.method === 'model' && takesHints && spec.strokes?.length && frame) {
    // A hint-taking model gets the painted strokes as color hints, in full-size pixels.
    methodOptions.hints = { strokes: methodOptions.strokes, width: frame.width, height: frame.height };
  }
  if (spec.method !== 'scribble') delete methodOptions.strokes;
  return { window, methodOptions };
}

async function handle(id: number, req: Request): Promise<{ result: unknown; transfer?: Transferable[] }> {
  switch (req.type) {
    case 'open': {
      const t0 = performance.now();
      const opened = await readInput(req.name, new Uint8Array(req.bytes), req.companion ? new Uint8Array(req.companion) : undefined);
      const fileId = nextId++;
      files.set(fileId, opened);
      const summary = summarize(fileId, opened);
      return { result: { summary, timings: { decode: performance.now() - t0 } } };
    }
    case 'reference': {
      const rgb = await readReference(req.name, new Uint8Array(req.bytes));
      const referenceId = nextId++;
      references.set(referenceId, rgb);
      return { result: { referenceId, width: rgb.width, height: rgb.height } };
    }
    case 'close': {
      files.delete(req.fileId);
      return { result: true };
    }
    case 'view': {
      const f = getFile(req.fileId);
      const t0 = performance.now();
      let rgba: ArrayBuffer, width: number, height: number;
      if (req.truth && f.truth) {
        const t = f.truth[req.frame] ?? f.truth[0];
        ({ width, height } = t);
        rgba = toRgba(t.data, width * height);
      } else {
        const g = getFrame(f, req.frame);
        ({ width, height } = g);
        const v = grayToDisplay(g, { window: req.window });
        const gray = new Uint8Array(3 * v.length);
        for (let i = 0; i < v.length; i++) gray[3 * i] = gray[3 * i + 1] = gray[3 * i + 2] = Math.round(255 * v[i]);
        rgba = toRgba(gray, v.length);
      }
      const reply: ViewReply = { width, height, rgba, timings: { encode: performance.now() - t0 } };
      return { result: reply, transfer: [rgba] };
    }
    case 'colorize': {
      const f = getFile(req.fileId);
      const gray = getFrame(f, req.frame);
      const { method, backend, takesHints } = await resolveMethod(req.spec, id);
      post({ id, progress: { stage: `colorizing with ${req.spec.method === 'model' ? req.spec.model : req.spec.method}` } });
      const t0 = performance.now();
      const options = { ...pipelineOptions(req.window, req.spec, gray, takesHints), confidence: req.confidence };
      let out: ColorizeOutput;
      let evaluation: ColorizeReply['evaluation'];
      const truth = f.truth?.[req.frame];
      if (req.evaluate && truth) {
        const d = await evaluateImage(truth, method, options);
        out = d.result;
        evaluation = {
          method: { psnr: d.metrics.psnr, ssim: d.metrics.ssim, deltaE2000: d.metrics.deltaE2000 },
          gray: { psnr: d.grayMetrics.psnr, ssim: d.grayMetrics.ssim, deltaE2000: d.grayMetrics.deltaE2000 },
        };
      } else {
        out = await colorizeImage(gray, method, options);
      }
      const rgb = out.rgb;
      const t1 = performance.now();
      const rgba = toRgba(rgb.data, rgb.width * rgb.height);
      const confidence = req.confidence && out.confidence ? (confidenceToGray8(out.confidence).buffer as ArrayBuffer) : undefined;
      const reply: ColorizeReply = {
        width: rgb.width,
        height: rgb.height,
        rgba,
        backend,
        evaluation,
        confidence,
        warnings: out.warnings.map((w) => `${w.code}: ${w.message}`),
        timings: { colorize: t1 - t0, encode: performance.now() - t1 },
      };
      return { result: reply, transfer: confidence ? [rgba, confidence] : [rgba] };
    }
    case 'export': {
      const f = getFile(req.fileId);
      const { method, takesHints } = await resolveMethod(req.spec, id);
      const t0 = performance.now();
      const out = await encodeExport(f, req.frame, req.format, method, req.spec, pipelineOptions(req.window, req.spec, f.frames[req.frame], takesHints), (done, total) =>
        post({ id, progress: { stage: `colorizing frame ${done + 1} of ${total}`, fraction: done / total } }),
      );
      const reply: ExportReply & { ms: number } = { ...out, ms: performance.now() - t0 };
      return { result: reply, transfer: [out.bytes] };
    }
    case 'backend': {
      if (req.modelsBase) modelsBase = req.modelsBase;
      configureBackend(req.prefer ?? 'auto', req.threads ?? 0);
      const gpu = await hasWebGpu();
      const reply: BackendReply = {
        palettes: listPalettes(),
        ctPresets: CT_WINDOW_PRESETS.map((p) => ({ ...p })),
        backend: describeBackend('wasm'), threads: threadCount(), isolated: self.crossOriginIsolated, webgpu: gpu };
      return { result: reply };
    }
  }
}

self.onmessage = async (ev: MessageEvent<{ id: number; req: Request }>) => {
  const { id, req } = ev.data;
  try {
    const { result, transfer } = await handle(id, req);
    post({ id, ok: true, result }, transfer);
  } catch (e) {
    const code = isMedcolorError(e) ? e.code : 'ERR_INTERNAL';
    const message = e instanceof Error ? e.message : String(e);
    post({ id, ok: false, error: { code, message } });
  }
};
