/**
 * The DICOM attribute tags the decoder reads, in dicom-parser's 'xggggeeee' form, and the
 * patient/study/series attributes a derived object keeps. Browser-safe: no Node built-ins.
 */

/** Tags read by the decoder, by name (PS3.6 keyword, shortened). */
export const TAG = {
  transferSyntax: 'x00020010',
  sopClass: 'x00080016',
  sopInstance: 'x00080018',
  modality: 'x00080060',
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  planar: 'x00280006',
  frames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  pixelSpacing: 'x00280030',
  imagerPixelSpacing: 'x00181164',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  rescaleType: 'x00281054',
  windowExplanation: 'x00281055',
  voiLutFunction: 'x00281056',
  modalityLutSeq: 'x00283000',
  lutDescriptor: 'x00283002',
  modalityLutType: 'x00283004',
  lutData: 'x00283006',
  voiLutSeq: 'x00283010',
  pixelData: 'x7fe00010',
  floatPixelData: 'x7fe00008',
  doublePixelData: 'x7fe00009',
  sharedGroups: 'x52009229',
  perFrameGroups: 'x52009230',
  pixelMeasuresSeq: 'x00289110',
  pixelValueTransformSeq: 'x00289145',
  frameVoiLutSeq: 'x00289132',
  redDescriptor: 'x00281101',
  greenDescriptor: 'x00281102',
  blueDescriptor: 'x00281103',
  redData: 'x00281201',
  greenData: 'x00281202',
  blueData: 'x00281203',
  redSegmented: 'x00281221',
  greenSegmented: 'x00281222',
  blueSegmented: 'x00281223',
} as const;

/** Patient/study/series attributes copied into meta.extra.dicom (what a derived object keeps). */
export const IDENTITY_TAGS: Record<string, string> = {
  SpecificCharacterSet: 'x00080005',
  SOPClassUID: 'x00080016',
  SOPInstanceUID: 'x00080018',
  StudyDate: 'x00080020',
  SeriesDate: 'x00080021',
  StudyTime: 'x00080030',
  AccessionNumber: 'x00080050',
  Modality: 'x00080060',
  Manufacturer: 'x00080070',
  InstitutionName: 'x00080080',
  ReferringPhysicianName: 'x00080090',
  StudyDescription: 'x00081030',
  SeriesDescription: 'x0008103e',
  PatientName: 'x00100010',
  PatientID: 'x00100020',
  PatientBirthDate: 'x00100030',
  PatientSex: 'x00100040',
  PatientAge: 'x00101010',
  BodyPartExamined: 'x00180015',
  SliceThickness: 'x00180050',
  StudyInstanceUID: 'x0020000d',
  SeriesInstanceUID: 'x0020000e',
  StudyID: 'x00200010',
  SeriesNumber: 'x00200011',
  InstanceNumber: 'x00200013',
  ImagePositionPatient: 'x00200032',
  ImageOrientationPatient: 'x00200037',
  FrameOfReferenceUID: 'x00200052',
  Laterality: 'x00200060',
  PositionReferenceIndicator: 'x00201040',
};

/**
 * A tag in the (GGGG,EEEE) form of error messages.
 *
 * @example
 * formatTag(TAG.redDescriptor); // '(0028,1101)'
 */
export function formatTag(tag: string): string {
  return `(${tag.slice(1, 5).toUpperCase()},${tag.slice(5).toUpperCase()})`;
}
