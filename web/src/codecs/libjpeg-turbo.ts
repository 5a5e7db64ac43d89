import factory from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import { locateWasm, type EmscriptenFactory } from './locate.js';

export default locateWasm(factory as unknown as EmscriptenFactory, wasmUrl);
