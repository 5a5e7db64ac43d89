import factory from '@cornerstonejs/codec-charls/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';
import { locateWasm, type EmscriptenFactory } from './locate.js';

export default locateWasm(factory as unknown as EmscriptenFactory, wasmUrl);
