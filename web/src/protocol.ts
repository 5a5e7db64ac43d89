/**
 * Messages between the page (main.ts) and the Web Worker (worker.ts) that decodes, colorizes and
 * encodes. Pixels travel as transferable buffers; errors as {code, message} of the library's
 * MedcolorError.
 */

/** A window in the units of the image data (HU for CT). */
export interface WindowSpec {
  center: number;
  width: number;
}

/** A stroke in full-size image pixels (the library's scribble Stroke). */
export interface StrokeSpec {
  points: [number, number][];
  width: number;
  color: string;
}

/** What the page asks a method to do. */
export interface MethodSpec {
  /** CLI method name: model, gray, lut, ct-tissue, transfer, welsh, kmeans, scribble. */
  method: string;
  /** Shipped model name when method is `model`. */
  model?: string;
  palette?: string;
  lutMode?: 'preserve' | 'classic';
  /** id of a reference image opened with `reference`. */
  referenceId?: number;
  strokes?: StrokeSpec[];
  seed?: number;
  /** A classification-head model: 'mean' or 'annealed-mean' (its default), and the annealing temperature. */
  decode?: 'mean' | 'annealed-mean';
  temperature?: number;
}

/** Header essentials shown in the side panel. */
export interface FileSummary {
  fileId: number;
  name: string;
  format: 'dicom' | 'nifti' | 'raster';
  width: number;
  height: number;
  frames: number;
  modality?: string;
  photometric?: string;
  transferSyntax?: string;
  bits?: string;
  units?: string;
  /** The file's own windows (first = default). */
  windows: WindowSpec[];
  /** min..max of the first frame's values (for window/level without a stored window). */
  range: [number, number];
  /** True when the input is a color image (evaluation mode is offered). */
  color: boolean;
  /** Hounsfield units: CT presets apply. */
  hu: boolean;
  notices: string[];
}

export interface Timings {
  decode?: number;
  colorize?: number;
  encode?: number;
  /** putImageData in the page. */
  draw?: number;
}

export type Request =
  | { type: 'open'; name: string; bytes: ArrayBuffer; /** The .img of a NIfTI .hdr/.img pair. */ companion?: ArrayBuffer }
  | { type: 'reference'; name: string; bytes: ArrayBuffer }
  | { type: 'view'; fileId: number; frame: number; window?: WindowSpec; truth?: boolean }
  | { type: 'colorize'; fileId: number; frame: number; window?: WindowSpec; spec: MethodSpec; evaluate?: boolean; /** Also return the confidence map. */ confidence?: boolean }
  | { type: 'export'; fileId: number; frame: number; format: 'png' | 'dcm' | 'nii'; window?: WindowSpec; spec: MethodSpec }
  | { type: 'backend'; prefer?: 'auto' | 'wasm'; threads?: number; modelsBase?: string }
  | { type: 'close'; fileId: number };

/** Metrics of evaluation mode (the library's EvalMetrics). */
export interface EvalFigures {
  psnr: number;
  ssim: number;
  deltaE2000: number;
}

export interface ColorizeReply {
  width: number;
  height: number;
  /** RGBA, width*height*4 bytes. */
  rgba: ArrayBuffer;
  timings: Timings;
  /** Execution path that ran: 'wasm (2 threads, SIMD)', 'webgpu', or 'javascript' for classical methods. */
  backend: string;
  /** Evaluation mode: method vs gray baseline against the original colors. */
  evaluation?: { method: EvalFigures; gray: EvalFigures };
  /** When asked and the method has one: the per-pixel confidence, 8-bit (255 = sure), width*height bytes. */
  confidence?: ArrayBuffer;
  /** The method's warnings, "CODE: message" (e.g. WARN_OUT_OF_DOMAIN). */
  warnings: string[];
}

export interface ViewReply {
  width: number;
  height: number;
  rgba: ArrayBuffer;
  timings: Timings;
}

export interface ExportReply {
  name: string;
  mime: string;
  bytes: ArrayBuffer;
}

export interface BackendReply {
  /** The library's palettes (lut, kmeans) and CT window presets, for the method panel. */
  palettes: string[];
  ctPresets: { name: string; center: number; width: number }[];
  backend: string;
  threads: number;
  isolated: boolean;
  webgpu: boolean;
}

/** Worker -> page. */
export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string } }
  | { id: number; progress: { stage: string; fraction?: number } };
