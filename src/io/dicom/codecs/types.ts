/**
 * What the frame decoders of this folder take (the frame's size and samples from the DICOM
 * header) and return (the decoded samples, interleaved). Browser-safe: no Node built-ins.
 */

/** Decoded samples of one frame, interleaved (sample-interleaved, "color-by-pixel"). */
export interface DecodedFrame {
  width: number;
  height: number;
  components: number;
  /** Sample values as the codec produced them (unsigned unless `signed`). */
  samples: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
  /** Bits per sample reported by the codestream. */
  bitsPerSample: number;
  /** Whether the codestream said its samples are signed. */
  signed: boolean;
  /** True when the codec already turned YCbCr (or ICT/RCT) into RGB. */
  colorConverted: boolean;
}

/** What the decoder must know from the DICOM header to decode one frame. */
export interface FrameSpec {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  /** DICOM PhotometricInterpretation (used to tell RGB JPEG streams from YCbCr ones). */
  photometric?: string;
}
