/**
 * Loads colorization models in Node with onnxruntime-node: from a path, or by the name of a
 * model shipped in `<package root>/models/NAME.onnx`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { MedcolorError } from '../errors.js';
import {
  createColorizationModel,
  readOnnxMetadata,
  type ColorizationModel,
  type OrtModuleLike,
  type OrtSessionLike,
} from '../methods/model.js';

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Intra-op threads for ONNX Runtime. Default: ONNX Runtime's own choice. */
  threads?: number;
  /** Folder holding shipped models. Default `<package root>/models`. */
  modelsDir?: string;
}

/** The package root: two levels above this file in both src/io and dist/io. */
export function getPackageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The folder of shipped models. */
export function getModelsDir(): string {
  return join(getPackageRoot(), 'models');
}

/**
 * Names of the models shipped in `models/` (file names without `.onnx`), sorted.
 *
 * @example
 * listShippedModels(); // ['blood', 'endoscopy', 'fundus', 'natural']
 */
export function listShippedModels(modelsDir = getModelsDir()): string[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .filter((f) => f.endsWith('.onnx'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * The default model's name: the one named in `models/DEFAULT` (a one-line text file) when present,
 * else the first shipped model in name order; undefined when none is shipped.
 */
export function getDefaultModelName(modelsDir = getModelsDir()): string | undefined {
  const names = listShippedModels(modelsDir);
  if (names.length === 0) return undefined;
  const pointer = join(modelsDir, 'DEFAULT');
  if (existsSync(pointer)) {
    const name = readFileSync(pointer, 'utf8').trim();
    if (names.includes(name)) return name;
  }
  return names[0];
}

/**
 * Resolves `--model NAME|PATH`: an existing file path is used as is; otherwise a name is looked up
 * as `models/NAME.onnx`. Unknown -> MedcolorError 'ERR_MODEL_NOT_FOUND' listing the shipped names.
 *
 * @example
 * resolveModelPath('natural'); // '/.../medcolor/models/natural.onnx'
 */
export function resolveModelPath(nameOrPath: string, modelsDir = getModelsDir()): string {
  if (existsSync(nameOrPath) && statSync(nameOrPath).isFile()) return resolve(nameOrPath);
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || extname(nameOrPath) === '.onnx';
  if (!looksLikePath) {
    const p = join(modelsDir, `${nameOrPath}.onnx`);
    if (existsSync(p)) return p;
  }
  const names = listShippedModels(modelsDir);
  throw new MedcolorError(
    'ERR_MODEL_NOT_FOUND',
    `model "${nameOrPath}" is neither an existing .onnx file nor a shipped model name; shipped models: ` +
      (names.length ? names.join(', ') : `none (no .onnx file in ${modelsDir})`),
  );
}

/**
 * Loads a model by name or path into onnxruntime-node and checks the medcolor model contract.
 *
 * @example
 * const model = await loadModel('natural');
 * const method = createModelMethod(model);
 */
export async function loadModel(nameOrPath: string, options: LoadModelOptions = {}): Promise<ColorizationModel> {
  const file = resolveModelPath(nameOrPath, options.modelsDir);
  const bytes = new Uint8Array(readFileSync(file));
  const metadata = readOnnxMetadata(bytes);
  let session: OrtSessionLike;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    });
  } catch (e) {
    throw new MedcolorError('ERR_MODEL_FORMAT', `ONNX Runtime could not load the model: ${(e as Error).message}`, {
      file,
      cause: e,
    });
  }
  return createColorizationModel(ort as unknown as OrtModuleLike, session, {
    metadata,
    name: basename(file, '.onnx'),
    source: file,
  });
}
