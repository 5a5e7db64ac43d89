import factory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import { locateWasm, type EmscriptenFactory } from './locate.js';

export default locateWasm(factory as unknown as EmscriptenFactory, wasmUrl);
