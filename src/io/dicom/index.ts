/** DICOM input and output. */
export { readDicom, readDicomRgb, readDicomInfo } from './read.js';
export { decodeDicom, decodeDicomRgb, decodeDicomInfo, type DicomInfo, type DicomReadOptions } from './decode.js';
export { getTransferSyntax, listSupportedTransferSyntaxes, type TransferSyntaxInfo } from './transfer-syntax.js';
export {
  writeDicomSecondaryCapture,
  writeDicomGray,
  createUid,
  type SecondaryCaptureOptions,
  type DicomGrayOptions,
} from './write-sc.js';
