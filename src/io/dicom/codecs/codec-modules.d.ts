// Type declarations for the Emscripten codec builds (they ship no .d.ts of their own).
// Each default export is a module factory; the instance exposes an Embind decoder class.

interface EmscriptenCodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
  isUsingColorTransform?: boolean;
}

interface EmscriptenCodecDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  readHeader?(): void;
  getFrameInfo(): EmscriptenCodecFrameInfo;
  getInterleaveMode?(): number;
  getNearLossless?(): number;
  getColorSpace?(): number;
  getLastErrorMessage?(): string;
  delete(): void;
}

interface EmscriptenCodecModule {
  JPEGDecoder?: new () => EmscriptenCodecDecoder;
  J2KDecoder?: new () => EmscriptenCodecDecoder;
  JpegLSDecoder?: new () => EmscriptenCodecDecoder;
  HTJ2KDecoder?: new () => EmscriptenCodecDecoder;
  getExceptionMessage?(ptr: number): [string, string];
}

type EmscriptenCodecFactory = (options?: {
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}) => Promise<EmscriptenCodecModule>;

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph' {
  const factory: EmscriptenCodecFactory;
  export default factory;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer | null, numBytes?: number);
    decode(buffer?: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
