/**
 * medcolor's browser entry (`import ... from 'medcolor/browser'`): the part of the library that
 * runs in a page or a Web Worker, from bytes rather than files. Nothing here (nor anything it
 * imports) may reach a Node built-in, sharp or onnxruntime-node: `tsconfig.browser.json`
 * type-checks it with no Node types and eslint bans those imports (see docs/architecture.md).
 * The Node entry (`medcolor`, src/index.ts) re-exports all of this and adds file I/O, shipped
 * models, training and the ONNX Runtime sessions for Node.
 *
 * @example
 * import * as ort from 'onnxruntime-web';
 * import { decodeDicom, createColorizationModel, createModelMethod, readOnnxMetadata, colorizeImage } from 'medcolor/browser';
 * const [ct] = await decodeDicom(new Uint8Array(await file.arrayBuffer()), { source: file.name });
 * const bytes = new Uint8Array(await (await fetch('/models/blood.onnx')).arrayBuffer());
 * const model = createColorizationModel(ort, await ort.InferenceSession.create(bytes), { metadata: readOnnxMetadata(bytes) });
 * const { rgb } = await colorizeImage(ct, createModelMethod(model)); // rgb.data: 8-bit sRGB, interleaved
 */

// Errors and image types
export { ERROR_CODES, EXIT, MedcolorError, exitCodeOf, isMedcolorError, type ErrorCode, type ExitCode } from './errors.js';
export type { GrayImage, GrayMeta, LabImage, Plane, RgbImage, Volume, VoiLut, VoiWindow } from './image/types.js';
export { boxDownsample, resizeBilinear } from './image/resize.js';
export * from './image/window.js';
export { CT_WINDOW_PRESETS, type WindowPreset } from './image/window-presets.js';
export { createRng, Rng } from './random.js';

// Color science and metrics
export * from './color/index.js';
export * from './metrics/index.js';

// Methods (the model method runs through an injected ONNX Runtime: onnxruntime-web in a page)
export type { BatchColorizationMethod, ColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions } from './methods/types.js';
export { grayMethod } from './methods/gray.js';
export { getMethod, listMethods, registerMethod } from './methods/registry.js';
export { getPalette, listPalettes, parsePalette, type Palette } from './methods/palettes.js';
export {
  createColorizationModel,
  createModelMethod,
  DEFAULT_AB_SCALE,
  DEFAULT_MODEL_SIZE,
  readOnnxMetadata,
  runColorizationModel,
  type ColorizationModel,
  type CreateModelOptions,
  type ModelInput,
  type OrtModuleLike,
  type OrtSessionLike,
  type OrtTensorLike,
  type ModelMethodOptions,
} from './methods/model.js';
export * as modelContract from './models/contract.js';
export { drawGeometric, rasterizeHints, simulateHints, type HintPlanes, type Hints, type SimulateHintsOptions } from './methods/hints.js';

// The inference pipeline and evaluation of one image
export {
  colorizeImage,
  colorizeImages,
  colorizeL,
  colorizeLBatch,
  toDisplayL,
  type ColorizeOptions,
  type ColorizeOutput,
} from './pipeline/colorize.js';
export {
  evaluateImage,
  MetricsAccumulator,
  type EvalImageDetail,
  type EvalImageResult,
  type EvalMetrics,
} from './pipeline/evaluate.js';

// One input from bytes to encoded results (what the app calls for a dropped file)
export {
  colorizeBytes,
  colorizeInput,
  type ColorizeBytesOptions,
  type ColorizedBytes,
  type ColorizedInput,
  type ColorizeInputOptions,
} from './pipeline/colorize-input.js';
export { decodeGrayInput, detectFormat, type DecodeInputOptions, type GrayInput, type GrayInputOptions, type InputFormat } from './io/decode-input.js';
export {
  checkOutputFormat,
  confidenceToGray8,
  encodeConfidenceOutputs,
  encodeOutputs,
  OUTPUT_FORMATS,
  pngFrameSuffix,
  type ConfidenceMap,
  type EncodedOutput,
  type EncodeOutputOptions,
  type OutputFormat,
  type OutputProvenance,
} from './io/encode-output.js';
export {
  checkPixelLimit,
  DEFAULT_MAX_PIXELS,
  rasterFromRgb,
  rasterGrayMeta,
  type RasterCodec,
  type RasterDecodeOptions,
  type RasterDecoder,
  type RasterFromRgbOptions,
  type RasterImage,
} from './io/raster-image.js';
export {
  decodeNifti,
  decodeNiftiInfo,
  encodeNiftiRgb24,
  gunzipIfNeeded,
  isGzip,
  isNiftiHeader,
  niftiMagic,
  type NiftiAxis,
  type NiftiDecodeOptions,
  type NiftiInfo,
  type NiftiLayout,
  type NiftiReadOptions,
} from './io/nifti.js';

// DICOM from bytes (the file readers readDicom* are the Node entry's)
export { decodeDicom, decodeDicomRgb, type DicomReadOptions } from './io/dicom/decode.js';
export { encodeDicomSecondaryCapture, encodeDicomGray, createUid, type DicomGrayOptions, type SecondaryCaptureOptions } from './io/dicom/encode-sc.js';
export { decodeDicomInfo, type DicomInfo } from './io/dicom/info.js';
export { getTransferSyntax, listSupportedTransferSyntaxes, type TransferSyntaxInfo } from './io/dicom/transfer-syntax.js';

// The graph code of the training engine (building, differentiating and serializing ONNX graphs;
// running them needs an ONNX Runtime session, which the Node entry provides)
export * as nn from './nn/index.js';
export { ParamStore, BuildContext } from './nn/params.js';
export { exportInferenceModel } from './nn/export.js';
export { unetForward, type UNetOptions } from './models/unet.js';
export { colorizerForward, generatorObjective, discriminatorObjective, type ColorizerConfig, type LossConfig } from './models/colorizer.js';
