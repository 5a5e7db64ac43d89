/**
 * medcolor: colorize grayscale medical images with deep learning and classical methods.
 * The library's public exports for Node: everything of the browser entry (src/browser.ts,
 * `medcolor/browser`) plus file I/O, shipped models, training and ONNX Runtime for Node.
 *
 * @example
 * import { readDicom, loadModel, createModelMethod, colorizeImage, writePng } from 'medcolor';
 * const [ct] = await readDicom('slice.dcm');
 * const { rgb } = await colorizeImage(ct, createModelMethod(await loadModel('natural')));
 * await writePng('slice.png', rgb);
 */

// Everything browser-safe (the 'medcolor/browser' entry): errors, images, color, metrics,
// methods, the inference pipeline, DICOM from bytes, the graph code of the training engine
export * from './browser.js';

// Colorizing and evaluating files, folders and globs
export {
  colorizeFiles,
  countInputFiles,
  INPUT_EXTENSIONS,
  isInputFile,
  type ColorizeFileEntry,
  type ColorizeFilesOptions,
  type ColorizeFilesSummary,
} from './pipeline/colorize-files.js';
export { evaluateFiles, type EvalSummary, type EvaluateFilesOptions } from './pipeline/evaluate-files.js';

// Node I/O
export { getDefaultModelName, getModelsDir, listShippedModels, loadModel, resolveModelPath, type LoadModelOptions } from './io/model-loader.js';
export * from './io/dicom/index.js';
export * from './io/raster.js';
export * from './io/nifti-file.js';
export { detectInputFormat, readGrayInput } from './io/read-any.js';
export { ensureFolder, OutputNamer, outputStem, writeOutputs } from './io/write-output.js';
export { expandInputs, walkFiles, type ExpandOptions } from './io/expand-inputs.js';
export { readFileBytes } from './io/read-file.js';
export { openAtomicFile, writeFileAtomic, writeFileAtomicSync, type AtomicFile } from './io/atomic.js';

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
export { planCrop, transformPlane, type CropPlan } from './train/augment.js';

// Training engine (sessions and checkpoints; the graph code is in the browser entry)
export { TrainSession, EvalSession } from './nn/session.js';
export { saveCheckpoint, loadCheckpoint } from './nn/checkpoint.js';
export { exportBestModel, runEpoch, setupTraining, trainColorizer, trainStep, validate, type HintTrainingOptions, type TrainingRun, type TrainOptions, type TrainResult, type TrainStepResult } from './train/trainer.js';
export { loadExportedWeights } from './models/warm-start.js';
