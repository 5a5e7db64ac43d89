/**
 * The cornerstone codec packages are Emscripten builds that look for their .wasm next to the
 * script that loaded them. In the app the wasm is a hashed asset of its own origin: these
 * wrappers give each factory the asset URL (front-door plumbing only; decoding stays in the library).
 */
export type EmscriptenFactory = (options?: Record<string, unknown>) => Promise<unknown>;

/** A factory that loads its WebAssembly from `wasmUrl`. */
export function locateWasm(factory: EmscriptenFactory, wasmUrl: string): EmscriptenFactory {
  return (options = {}) => factory({ ...options, locateFile: (path: string) => (path.endsWith('.wasm') ? wasmUrl : path) });
}
