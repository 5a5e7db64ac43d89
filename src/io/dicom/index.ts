/** DICOM input and output. */
export { readDicom, readDicomRgb, readDicomInfo } from './read.js';
export { decodeDicom, decodeDicomRgb, decodeDicomInfo, type DicomInfo, type DicomReadOptions } from './decode.js';
export { getTransferSyntax, listSupportedTransferSyntaxes, type TransferSyntaxInfo } from './transfer-syntax.js';
