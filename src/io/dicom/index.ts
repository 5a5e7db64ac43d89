/** DICOM input and output. */
export { readDicom, readDicomRgb, readDicomInfo } from './read.js';
export { decodeDicom, decodeDicomRgb, type DicomReadOptions } from './decode.js';
export { decodeDicomInfo, type DicomInfo } from './info.js';
export { getTransferSyntax, listSupportedTransferSyntaxes, type TransferSyntaxInfo } from './transfer-syntax.js';
export { encodeDicomSecondaryCapture, encodeDicomGray } from './encode-sc.js';
export {
  writeDicomSecondaryCapture,
  writeDicomGray,
  createUid,
  type SecondaryCaptureOptions,
  type DicomGrayOptions,
} from './write-sc.js';
