/**
 * multipart/related bodies (RFC 2387 over RFC 2046), as DICOMweb uses them: WADO-RS answers one
 * part per instance, STOW-RS takes one part per instance. Bodies are binary (DICOM), so the parser
 * works on bytes: a part ends at CRLF "--" boundary, the body ends at the closing delimiter
 * "--" boundary "--". Node-free.
 */
import { MedcolorError } from '../errors.js';

/** One part: its headers (lower-case names) and its bytes. */
export interface MultipartPart {
  headers: Record<string, string>;
  body: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

/** A parameter of a Content-Type header (`boundary`, `type`, ...), unquoted; undefined when absent. */
export function getContentTypeParameter(contentType: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i');
  const m = re.exec(contentType);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  const last = hay.length - needle.length;
  outer: for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    for (let k = 1; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Splits a multipart body into its parts. `contentType` is the whole Content-Type header (it
 * carries the boundary). The preamble before the first delimiter and the epilogue after the
 * closing one are ignored, as RFC 2046 says.
 *
 * @example
 * const parts = parseMultipart(new Uint8Array(await res.arrayBuffer()), res.headers.get('content-type')!);
 */
export function parseMultipart(body: Uint8Array, contentType: string): MultipartPart[] {
  const boundary = getContentTypeParameter(contentType, 'boundary');
  if (!/^multipart\//i.test(contentType.trim()) || !boundary) {
    throw new MedcolorError('ERR_DICOMWEB_MULTIPART', `expected a multipart Content-Type with a boundary; found "${contentType}"`);
  }
  const delimiter = enc.encode(`\r\n--${boundary}`);
  // The first delimiter may open the body without the CRLF in front of it.
  let pos: number;
  if (indexOf(body.subarray(0, delimiter.length - 2), delimiter.subarray(2), 0) === 0) pos = 0;
  else {
    const at = indexOf(body, delimiter, 0);
    if (at < 0) throw new MedcolorError('ERR_DICOMWEB_MULTIPART', `the body has no "--${boundary}" delimiter`);
    pos = at + 2;
  }
  const parts: MultipartPart[] = [];
  // pos points at "--boundary".
  for (;;) {
    let p = pos + delimiter.length - 2;
    if (body[p] === 0x2d && body[p + 1] === 0x2d) return parts; // closing delimiter
    while (body[p] === 0x20 || body[p] === 0x09) p++; // transport padding
    if (body[p] !== 0x0d || body[p + 1] !== 0x0a) {
      throw new MedcolorError('ERR_DICOMWEB_MULTIPART', `expected CRLF after the delimiter at byte ${p}; the multipart body is malformed`);
    }
    p += 2;
    const headerEnd = indexOf(body, enc.encode('\r\n\r\n'), p);
    const next = indexOf(body, delimiter, p);
    if (next < 0) throw new MedcolorError('ERR_DICOMWEB_MULTIPART', `part ${parts.length + 1} has no closing "--${boundary}" delimiter (truncated body?)`);
    const headers: Record<string, string> = {};
    let bodyStart: number;
    if (body[p] === 0x0d && body[p + 1] === 0x0a) bodyStart = p + 2; // no headers
    else {
      if (headerEnd < 0 || headerEnd > next) throw new MedcolorError('ERR_DICOMWEB_MULTIPART', `part ${parts.length + 1} has no end of headers`);
      for (const line of dec.decode(body.subarray(p, headerEnd)).split('\r\n')) {
        const c = line.indexOf(':');
        if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
      }
      bodyStart = headerEnd + 4;
    }
    parts.push({ headers, body: body.subarray(bodyStart, next) });
    pos = next + 2;
  }
}

/**
 * Builds a multipart/related body: one part per item with its Content-Type; returns the bytes
 * and the request's Content-Type header.
 *
 * @example
 * const { body, contentType } = buildMultipartRelated([dicomBytes], 'application/dicom');
 */
export function buildMultipartRelated(items: Uint8Array[], type: string, boundary = `medcolor-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`): { body: Uint8Array; contentType: string } {
  const head = enc.encode(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`);
  const mid = enc.encode(`\r\n--${boundary}\r\nContent-Type: ${type}\r\n\r\n`);
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const size = items.reduce((n, b, i) => n + (i === 0 ? head.length : mid.length) + b.length, 0) + tail.length;
  const body = new Uint8Array(size);
  let o = 0;
  items.forEach((b, i) => {
    const h = i === 0 ? head : mid;
    body.set(h, o);
    o += h.length;
    body.set(b, o);
    o += b.length;
  });
  body.set(tail, o);
  return { body, contentType: `multipart/related; type="${type}"; boundary=${boundary}` };
}
