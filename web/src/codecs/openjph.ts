import factory from '@cornerstonejs/codec-openjph';
import wasmUrl from '@cornerstonejs/codec-openjph/wasm?url';
import { locateWasm, type EmscriptenFactory } from './locate.js';

export default locateWasm(factory as unknown as EmscriptenFactory, wasmUrl);
