/**
 * DICOM transfer syntaxes medcolor knows, with the route used to decode each (PS3.5 Section 10
 * and Annex A). Browser-safe: no Node built-ins.
 */

/** How the pixel data of a transfer syntax is stored. */
export type PixelEncoding =
  | 'native'
  | 'jpeg-baseline'
  | 'jpeg-extended'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg-2000'
  | 'htj2k'
  | 'rle'
  | 'deflate-frame'
  | 'unsupported';

/** One transfer syntax: UID, name, byte order, and pixel encoding. */
export interface TransferSyntaxInfo {
  uid: string;
  name: string;
  littleEndian: boolean;
  /** Whether the dataset is encoded with explicit VRs (implicit VR only for 1.2.840.10008.1.2). */
  explicitVr: boolean;
  /** Whether the whole dataset after the file meta is deflated. */
  deflated: boolean;
  encoding: PixelEncoding;
}

const TABLE: [string, string, PixelEncoding, Partial<TransferSyntaxInfo>?][] = [
  ['1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native', { explicitVr: false }],
  ['1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native'],
  ['1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian', 'unsupported'],
  ['1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', { deflated: true }],
  ['1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'native', { littleEndian: false }],
  ['1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline'],
  ['1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-extended'],
  ['1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless'],
  ['1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])', 'jpeg-lossless'],
  ['1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless Image Compression', 'jpeg-ls'],
  ['1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless) Image Compression', 'jpeg-ls'],
  ['1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)', 'jpeg-2000'],
  ['1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression', 'jpeg-2000'],
  ['1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)', 'unsupported'],
  ['1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component Image Compression', 'unsupported'],
  ['1.2.840.10008.1.2.4.94', 'JPIP Referenced', 'unsupported'],
  ['1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate', 'unsupported'],
  ['1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', 'unsupported'],
  ['1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level', 'unsupported'],
  ['1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1', 'unsupported'],
  ['1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', 'unsupported'],
  ['1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', 'unsupported'],
  ['1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', 'unsupported'],
  ['1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', 'unsupported'],
  ['1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1', 'unsupported'],
  ['1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1', 'unsupported'],
  ['1.2.840.10008.1.2.4.110', 'JPEG XL Lossless', 'unsupported'],
  ['1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression', 'unsupported'],
  ['1.2.840.10008.1.2.4.112', 'JPEG XL', 'unsupported'],
  ['1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)', 'htj2k'],
  ['1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)', 'htj2k'],
  ['1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000 Image Compression', 'htj2k'],
  ['1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'],
  ['1.2.840.10008.1.2.8.1', 'Deflated Image Frame Compression', 'deflate-frame'],
];

const BY_UID = new Map<string, TransferSyntaxInfo>(
  TABLE.map(([uid, name, encoding, extra]) => [
    uid,
    { uid, name, encoding, littleEndian: true, explicitVr: true, deflated: false, ...extra },
  ]),
);

/**
 * Looks up a transfer syntax by UID; unknown UIDs come back with encoding 'unsupported'.
 *
 * @example
 * getTransferSyntax('1.2.840.10008.1.2.5').name; // 'RLE Lossless'
 */
export function getTransferSyntax(uid: string): TransferSyntaxInfo {
  const known = BY_UID.get(uid);
  if (known) return known;
  return { uid, name: `unknown (${uid})`, encoding: 'unsupported', littleEndian: true, explicitVr: true, deflated: false };
}

/** Names of every transfer syntax whose pixel data medcolor decodes (for error messages). */
export function listSupportedTransferSyntaxes(): string[] {
  return TABLE.filter(([, , enc]) => enc !== 'unsupported').map(([uid, name]) => `${name} (${uid})`);
}
