/**
 * What a batch job is made of: its spec (inputs or a DICOMweb source, method, model, format)
 * and its items (one input file, or one DICOMweb instance), each with an id that is a hash of
 * the work it describes.
 */
import type { DicomWebSource } from '../dicomweb/client.js';

/** A batch job as POST /v1/jobs and `medcolor batch` give it. */
export interface JobSpec {
  /** Files, folders or globs (file jobs). */
  inputs?: string[];
  /** Output folder (file jobs). */
  output?: string;
  /** Output format of file jobs (default png). */
  format?: 'png' | 'dcm' | 'nii';
  /** A DICOMweb source: results are stored back into the PACS. */
  dicomweb?: DicomWebSource & { study?: string; series?: string; query?: string };
  method?: string;
  model?: string;
}

/** One unit of work. */
export interface JobItem {
  /** Hash of (input, method, model, format, output): the same work has the same id. */
  id: string;
  /** The input file, or the source SOP Instance UID. */
  input: string;
  /** For DICOMweb items: where the instance is. */
  instance?: { study: string; series: string; sop: string };
}
