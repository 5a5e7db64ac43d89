/**
 * Resolves the method-related CLI options (--method, --model, --size, --palette, --reference,
 * --scribbles) into a method and its options, shared by `colorize` and `eval`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { getDefaultModelName, listShippedModels, loadModel } from '../io/model-loader.js';
import { AB_DECODES } from '../color/ab-decode.js';
import { createModelMethod, type ModelMethodOptions } from '../methods/model.js';
import { HINT_PROPAGATIONS, type HintPropagation } from '../models/contract.js';
import { parsePalette } from '../methods/palettes.js';
import { getMethod, listMethods } from '../methods/registry.js';
import type { ColorizationMethod, MethodOptions } from '../methods/types.js';
import { readRasterRgb } from '../io/raster.js';
import type { RgbImage } from '../image/types.js';
import { parseIntOption, usage } from './common.js';

/** The classical method used when no model is shipped and no --method is given. */
export const FALLBACK_METHOD = 'lut';

/** Raw option values as commander gives them. */
export interface MethodCliOptions {
  method?: string;
  model?: string;
  size?: string;
  workSize?: string;
  palette?: string;
  reference?: string;
  scribbles?: string;
  seed?: string;
  threads?: string;
  decode?: string;
  temperature?: string;
  hintPropagation?: string;
}

/** What the options resolve to. */
export interface ResolvedMethod {
  method: ColorizationMethod;
  /** Name of the method (e.g. 'model', 'lut'). */
  label: string;
  /** Model name or path when the method is `model`, else null. */
  model: string | null;
  /** Working size from --size (undefined: the method's default). */
  size?: number;
  methodOptions: MethodOptions;
  /** Why this method (for messages), e.g. 'default: no shipped model, using lut'. */
  note?: string;
  /** The model takes color hints (method `model` only). */
  takesHints?: boolean;
}

/** Adds the shared method options to a command (`--size` as the working size unless `sizeOption` is false). */
export function addMethodOptions(cmd: Command, sizeOption = true): Command {
  const names = listMethods().map((m) => m.name);
  if (sizeOption) {
    cmd.option('--size <n>', 'working size the method runs at (default: 256 or the model\'s input size for model, full size for classical methods; 0 = full size)');
  } else {
    cmd.option('--work-size <n>', 'working size the method runs at (default: 256 or the model\'s input size for model, full size for classical methods; 0 = full size)');
  }
  return cmd
    .option(
      '-m, --method <name>',
      `colorization method: model, ${names.join(', ')} ` +
        `(default: model with the default shipped model, else ${FALLBACK_METHOD})`,
    )
    .option('--model <name|path>', `ONNX model: a shipped name (${listShippedModels().join(', ') || 'none shipped'}) or a .onnx path; implies --method model`)
    .option('--palette <name|file>', 'palette for lut: a built-in name or a file of r,g,b rows / JSON triples')
    .option('--reference <img>', 'color reference image for transfer, welsh, kmeans')
    .option('--scribbles <file>', 'strokes for scribble: JSON stroke list, or an image with colored strokes')
    .option('--seed <n>', 'seed for methods with randomness (welsh, kmeans)')
    .option('--threads <n>', 'ONNX Runtime intra-op threads for model (default: ONNX Runtime\'s choice)')
    .option('--decode <how>', 'a classification-head model: mean or annealed-mean (default) of the predicted a*b* distribution; a both-head model uses its regression output unless --decode is given')
    .option('--temperature <T>', 'temperature of the annealed mean (default 0.38; lower = more vivid, 1 = the mean)')
    .option('--hint-propagation <how>', `a hint-taking model: ${HINT_PROPAGATIONS.join(', ')}: how the hints are spread after the network (default: the model's own; docs/hints.md)`);
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp']);

/**
 * Reads a strokes file (`--scribbles`, and the hints of `colorize --hints`): an image with
 * colored marks (by extension) or the JSON text of a stroke list (parsed by the method).
 */
export async function readStrokesFile(flag: string, file: string): Promise<RgbImage | string> {
  if (!existsSync(file)) usage(`${flag}: no such file ${file}`);
  return IMAGE_EXT.has(extname(file).toLowerCase()) ? await readRasterRgb(file) : readFileSync(file, 'utf8');
}

/**
 * Turns CLI options into a method and method options (loads the model, reads reference images,
 * palettes and strokes).
 *
 * @example
 * const r = await resolveMethodOptions({ method: 'lut', palette: 'pet' });
 */
/**
 * Resolves the method options of the command line. `allowSimulatedStrokes`: `eval` simulates
 * scribble strokes from the truth when no --scribbles file is given.
 */
export async function resolveMethodOptions(opts: MethodCliOptions, allowSimulatedStrokes = false): Promise<ResolvedMethod> {
  const sizeText = opts.workSize ?? opts.size;
  const size = sizeText !== undefined ? parseIntOption(opts.workSize !== undefined ? '--work-size' : '--size', sizeText, 0, 16384) : undefined;
  const methodOptions: MethodOptions = {};
  if (opts.seed !== undefined) methodOptions.seed = parseIntOption('--seed', opts.seed, 0, 2 ** 31 - 1);
  if (opts.decode !== undefined) {
    if (!(AB_DECODES as readonly string[]).includes(opts.decode)) usage(`--decode must be one of ${AB_DECODES.join(', ')}; found "${opts.decode}"`);
    methodOptions.decode = opts.decode;
  }
  if (opts.temperature !== undefined) {
    const t = Number(opts.temperature);
    if (!(t > 0) || !Number.isFinite(t)) usage(`--temperature expects a number > 0; found "${opts.temperature}"`);
    methodOptions.temperature = t;
  }
  if (opts.palette !== undefined) {
    if (existsSync(opts.palette) && statSync(opts.palette).isFile()) {
      methodOptions.palette = parsePalette(readFileSync(opts.palette, 'utf8'), { name: opts.palette, file: opts.palette });
    } else methodOptions.palette = opts.palette;
  }
  if (opts.reference !== undefined) {
    if (!existsSync(opts.reference)) usage(`--reference: no such file ${opts.reference}`);
    methodOptions.reference = await readRasterRgb(opts.reference);
  }
  if (opts.scribbles !== undefined) methodOptions.strokes = await readStrokesFile('--scribbles', opts.scribbles);
  let name = opts.method;
  let note: string | undefined;
  if (opts.model !== undefined) {
    if (name !== undefined && name !== 'model') usage(`--model goes with --method model; found --method ${name}`);
    name = 'model';
  }
  if (name === undefined) {
    const dflt = getDefaultModelName();
    if (dflt) {
      name = 'model';
      note = `default: model ${dflt}`;
    } else {
      name = FALLBACK_METHOD;
      note = `default: no shipped model in models/, using the classical method ${FALLBACK_METHOD}`;
    }
  }
  if (name === 'model') {
    const modelName = opts.model ?? getDefaultModelName();
    if (!modelName) {
      // Let the loader produce the ERR_MODEL_NOT_FOUND message with the (empty) list of shipped models.
      await loadModel('default');
    }
    const threads = opts.threads !== undefined ? parseIntOption('--threads', opts.threads, 1, 256) : undefined;
    const model = await loadModel(modelName!, { threads });
    if (opts.hintPropagation !== undefined) {
      if (!model.takesHints) usage(`--hint-propagation applies to a hint-taking model; model ${modelName} takes no hints`);
      if (!(HINT_PROPAGATIONS as readonly string[]).includes(opts.hintPropagation)) usage(`--hint-propagation must be one of ${HINT_PROPAGATIONS.join(', ')}; found "${opts.hintPropagation}"`);
      (methodOptions as ModelMethodOptions).hintPropagation = opts.hintPropagation as HintPropagation;
    }
    if (model.head === 'regression' && (opts.decode !== undefined || opts.temperature !== undefined)) {
      usage(`--decode and --temperature apply to a classification-head model; model ${modelName} predicts a*b* directly (regression)`);
    }
    return { method: createModelMethod(model), label: 'model', model: modelName!, size, methodOptions, note, takesHints: model.takesHints };
  }
  if (opts.decode !== undefined || opts.temperature !== undefined) usage(`--decode and --temperature go with --method model (a classification-head model); found --method ${name}`);
  if (opts.hintPropagation !== undefined) usage(`--hint-propagation goes with --method model (a hint-taking model); found --method ${name}`);
  const method = getMethod(name);
  if (method.needsReference && !methodOptions.reference) {
    usage(`method ${name} needs --reference IMG (a color image to take the colors from)`);
  }
  if (name === 'scribble' && methodOptions.strokes === undefined && !allowSimulatedStrokes) usage('method scribble needs --scribbles FILE');
  return { method, label: name, model: null, size, methodOptions, note };
}
