/**
 * The registry of colorization methods: look one up by the name used on the command line.
 * Browser-safe (no Node built-ins). The deep `model` method is registered by its own module
 * with registerMethod().
 */
import { MedcolorError } from '../errors.js';
import { ctTissueMethod } from './ct-tissue.js';
import { grayMethod } from './gray.js';
import { kmeansMethod } from './kmeans.js';
import { lutMethod } from './lut.js';
import { scribbleMethod } from './scribble.js';
import { transferMethod } from './transfer.js';
import type { ColorizationMethod } from './types.js';
import { welshMethod } from './welsh.js';

const methods = new Map<string, ColorizationMethod>();
for (const m of [grayMethod, lutMethod, ctTissueMethod, transferMethod, welshMethod, kmeansMethod, scribbleMethod]) {
  methods.set(m.name, m);
}

/**
 * Adds (or replaces) a method under its `name`.
 *
 * @example
 * registerMethod(modelMethod); getMethod('model')
 */
export function registerMethod(method: ColorizationMethod): void {
  if (!method || typeof method.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(method.name) || typeof method.colorize !== 'function') {
    throw new MedcolorError('ERR_BAD_METHOD', `a method needs a kebab-case name and a colorize function; found name '${String(method?.name)}'`);
  }
  methods.set(method.name, method);
}

/**
 * The method registered under `name`.
 *
 * @example
 * const m = getMethod('lut'); await m.colorize({ width, height, L }, { palette: 'pet' });
 */
export function getMethod(name: string): ColorizationMethod {
  const m = methods.get(name);
  if (!m) {
    throw new MedcolorError('ERR_UNKNOWN_METHOD', `unknown method '${name}'; valid: ${[...methods.keys()].join(', ')}`);
  }
  return m;
}

/** All registered methods, in registration order. */
export function listMethods(): ColorizationMethod[] {
  return [...methods.values()];
}
