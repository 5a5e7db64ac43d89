/**
 * onnxruntime-web in the worker: WebGPU when the browser has a usable adapter, else WebAssembly
 * (threads when the page is cross-origin isolated, SIMD). Its .mjs glue and .wasm are assets of
 * the app's own origin. Models are fetched from the app's `models/` folder and wrapped by the
 * library's createColorizationModel (the model contract lives there).
 */
import type * as Ort from 'onnxruntime-web';
import wasmMjs from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import wasmBin from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import gpuMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import gpuBin from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import {
  createColorizationModel,
  MedcolorError,
  readOnnxMetadata,
  type ColorizationModel,
  type OrtModuleLike,
  type OrtSessionLike,
} from '../../src/browser.js';

export type Prefer = 'auto' | 'wasm';

interface Runtime {
  ort: typeof Ort;
  kind: 'webgpu' | 'wasm';
}

let prefer: Prefer = 'auto';
let threads = 0;
let runtime: Promise<Runtime> | undefined;
const models = new Map<string, Promise<{ model: ColorizationModel; kind: 'webgpu' | 'wasm' }>>();

/** Chooses the execution path for models loaded from now on (threads 0 = as many as isolation allows). */
export function configureBackend(p: Prefer, t = 0): void {
  if (p !== prefer || t !== threads) {
    prefer = p;
    threads = t;
    runtime = undefined;
    models.clear();
  }
}

/** Intra-op threads ONNX Runtime will use. */
export function threadCount(): number {
  if (!self.crossOriginIsolated) return 1;
  const cores = navigator.hardwareConcurrency || 1;
  return threads > 0 ? Math.min(threads, cores) : Math.min(4, cores);
}

/** Whether the browser offers a WebGPU adapter. */
export async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

async function loadRuntime(kind: 'webgpu' | 'wasm'): Promise<Runtime> {
  const ort = kind === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  ort.env.wasm.wasmPaths = kind === 'webgpu' ? { mjs: gpuMjs, wasm: gpuBin } : { mjs: wasmMjs, wasm: wasmBin };
  ort.env.wasm.numThreads = threadCount();
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false; // already in a worker
  ort.env.logLevel = 'error';
  return { ort, kind };
}

function getRuntime(kind: 'webgpu' | 'wasm'): Promise<Runtime> {
  return loadRuntime(kind);
}

/** A human description of an execution path. */
export function describeBackend(kind: 'webgpu' | 'wasm'): string {
  if (kind === 'webgpu') return 'WebGPU';
  const n = threadCount();
  return `wasm SIMD, ${n} thread${n === 1 ? '' : 's'}${self.crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}`;
}

async function createSession(bytes: Uint8Array, url: string): Promise<{ session: Ort.InferenceSession; rt: Runtime }> {
  const tryKinds: ('webgpu' | 'wasm')[] = prefer === 'auto' && (await hasWebGpu()) ? ['webgpu', 'wasm'] : ['wasm'];
  let last: unknown;
  for (const kind of tryKinds) {
    try {
      runtime = kind === 'wasm' ? (runtime ?? getRuntime('wasm')) : getRuntime(kind);
      const rt = await runtime;
      // A copy per attempt: ORT may take ownership of the buffer.
      const session = await rt.ort.InferenceSession.create(bytes.slice(), {
        executionProviders: [kind],
        graphOptimizationLevel: 'all',
      });
      return { session, rt };
    } catch (e) {
      last = e; // WebGPU failed: fall back to wasm
      runtime = undefined;
    }
  }
  throw new MedcolorError('ERR_MODEL_FORMAT', `ONNX Runtime (web) could not load the model: ${(last as Error)?.message ?? last}`, { file: url });
}

/**
 * The shipped model `name`, loaded once per backend configuration.
 *
 * @example
 * const { model } = await loadWebModel('natural', new URL('models/', location.href).href);
 */
export function loadWebModel(
  name: string,
  modelsBase: string,
  onProgress?: (fraction: number) => void,
): Promise<{ model: ColorizationModel; kind: 'webgpu' | 'wasm' }> {
  let p = models.get(name);
  if (!p) {
    p = (async () => {
      const url = new URL(`${encodeURIComponent(name)}.onnx`, modelsBase).href;
      const bytes = await fetchBytes(url, onProgress);
      const metadata = readOnnxMetadata(bytes);
      const { session, rt } = await createSession(bytes, url);
      const model = createColorizationModel(rt.ort as unknown as OrtModuleLike, session as unknown as OrtSessionLike, {
        metadata,
        name,
        source: url,
      });
      return { model, kind: rt.kind };
    })();
    models.set(name, p);
    p.catch(() => models.delete(name));
  }
  return p;
}

async function fetchBytes(url: string, onProgress?: (fraction: number) => void): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new MedcolorError('ERR_MODEL_NOT_FOUND', `could not fetch the model (${(e as Error).message})`, { file: url });
  }
  if (!res.ok) throw new MedcolorError('ERR_MODEL_NOT_FOUND', `the server answered ${res.status} for the model`, { file: url });
  const total = Number(res.headers.get('Content-Length')) || 0;
  if (!res.body || !onProgress) return new Uint8Array(await res.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let at = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    at += value.length;
    if (total) onProgress(Math.min(1, at / total));
  }
  const out = new Uint8Array(at);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
