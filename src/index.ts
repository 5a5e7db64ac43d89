/**
 * medcolor: colorize grayscale medical images with deep learning and classical methods.
 * The library's public exports (Node). Browser code imports the browser-safe modules directly
 * (image/, color/, metrics/, methods/, pipeline/colorize.ts, pipeline/evaluate.ts).
 *
 * @example
 * import { readDicom, loadModel, createModelMethod, colorizeImage, writePng } from 'medcolor';
 * const [ct] = await readDicom('slice.dcm');
 * const { rgb } = await colorizeImage(ct, createModelMethod(await loadModel('general')));
 * await writePng('slice.png', rgb);
 */

// Errors and image types
export { MedcolorError, isMedcolorError } from './errors.js';
export type { GrayImage, GrayMeta, LabImage, Plane, RgbImage, Volume, VoiLut, VoiWindow } from './image/types.js';
export { boxDownsample, resizeBilinear } from './image/resize.js';
export * from './image/window.js';

// Color science and metrics
export * from './color/index.js';
export * from './metrics/index.js';

// Methods
export type { ColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions } from './methods/types.js';
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
  type BatchColorizationMethod,
  type ColorizationModel,
  type CreateModelOptions,
  type ModelInput,
  type OrtModuleLike,
  type OrtSessionLike,
  type OrtTensorLike,
} from './methods/model.js';

// The pipeline
export {
  colorizeImage,
  colorizeImages,
  colorizeL,
  colorizeLBatch,
  toDisplayL,
  type ColorizeOptions,
  type ColorizeOutput,
  type PipelineMethod,
} from './pipeline/colorize.js';
export { fitChromaToGamut } from './pipeline/gamut.js';
export {
  evaluateImage,
  MetricsAccumulator,
  type EvalImageDetail,
  type EvalImageResult,
  type EvalMetrics,
} from './pipeline/evaluate.js';
export { evaluateFiles, readColorImage, type EvalSummary, type EvaluateFilesOptions } from './pipeline/evaluate-files.js';

// Node I/O
export { getDefaultModelName, getModelsDir, listShippedModels, loadModel, resolveModelPath, type LoadModelOptions } from './io/model-loader.js';
export * from './io/dicom/index.js';
export * from './io/raster.js';
export * from './io/nifti.js';
export { writeFileAtomic } from './io/atomic.js';

// Training data
export {
  assignSplit,
  makeBatch,
  openDataset,
  prepareDataset,
  type Batch,
  type BatchOptions,
  type Dataset,
  type DatasetManifest,
  type PrepareOptions,
  type PrepareReport,
  type Sample,
} from './train/dataset.js';
export { createRng, planCrop, transformPlane, type CropPlan } from './train/augment.js';

// Training engine and the colorizer
export * as nn from './nn/index.js';
export { TrainSession, EvalSession } from './nn/session.js';
export { ParamStore, BuildContext, Rng } from './nn/params.js';
export { saveCheckpoint, loadCheckpoint } from './nn/checkpoint.js';
export { exportInferenceModel } from './nn/export.js';
export { unetForward, type UNetOptions } from './models/unet.js';
export { colorizerForward, generatorObjective, discriminatorObjective, type ColorizerConfig, type LossConfig } from './models/colorizer.js';
export { trainColorizer, validate, type TrainOptions, type TrainResult } from './train/trainer.js';
