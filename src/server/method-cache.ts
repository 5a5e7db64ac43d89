/**
 * Methods for requests and jobs, by name and model, with each model loaded into ONNX Runtime
 * once per process (loading takes far longer than one colorization).
 */
import { MedcolorError } from '../errors.js';
import { getDefaultModelName, loadModel, resolveModelPath } from '../io/model-loader.js';
import { createModelMethod } from '../methods/model.js';
import { getMethod } from '../methods/registry.js';
import type { ColorizationMethod } from '../methods/types.js';

/** A method with what to record about it. */
export interface ResolvedRequestMethod {
  method: ColorizationMethod;
  /** 'model' or the classical method's name. */
  label: string;
  /** Shipped model name when the method is 'model', else null. */
  model: string | null;
}

const models = new Map<string, Promise<ColorizationMethod>>();

/**
 * The method for `method`/`model` as the CLI resolves them: `model` implies method=model; no
 * method means the default shipped model (else lut). Only shipped model names are accepted
 * (a server must not open arbitrary paths).
 *
 * @example
 * const { method, label, model } = await resolveRequestMethod('model', 'blood');
 */
export async function resolveRequestMethod(name: string | undefined, model: string | undefined): Promise<ResolvedRequestMethod> {
  if (model !== undefined) {
    if (name !== undefined && name !== 'model') throw new MedcolorError('ERR_USAGE', `model goes with method=model; found method=${name}`);
    name = 'model';
  }
  if (name === undefined) name = getDefaultModelName() ? 'model' : 'lut';
  if (name !== 'model') return { method: getMethod(name), label: name, model: null };
  const modelName = model ?? getDefaultModelName();
  if (!modelName || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(modelName)) {
    throw new MedcolorError('ERR_MODEL_NOT_FOUND', `model must be a shipped model name (see GET /v1/models); found "${modelName ?? ''}"`);
  }
  resolveModelPath(modelName); // ERR_MODEL_NOT_FOUND listing the shipped names
  let m = models.get(modelName);
  if (!m) {
    m = loadModel(modelName).then(createModelMethod);
    models.set(modelName, m);
    m.catch(() => models.delete(modelName));
  }
  return { method: await m, label: 'model', model: modelName };
}
