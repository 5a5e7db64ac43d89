// dcmjs-codecs (DCMTK's IJG, for 12-bit JPEG) fetches its wasm through eval("fetch(...)"), which the
// page's Content-Security-Policy forbids: hand it the bytes of the app's own asset instead.
import * as real from 'dcmjs-codecs';
import wasmUrl from 'dcmjs-codecs/build/dcmjs-native-codecs.wasm?url';

const mod = ((real as unknown as { default?: typeof real }).default ?? real) as typeof real;
(mod.NativeCodecs as unknown as { _getWebAssemblyBytes: () => Promise<ArrayBuffer> })._getWebAssemblyBytes = async () =>
  (await fetch(wasmUrl)).arrayBuffer();

export default mod;
