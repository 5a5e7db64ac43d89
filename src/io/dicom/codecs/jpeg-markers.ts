/**
 * Reading and patching JPEG marker segments (ITU-T T.81 B.1): the sample precision of the frame
 * header, and RGB component labels for libjpeg. Browser-safe: no Node built-ins.
 */

/** Reads the precision (P) of the first SOF marker of a JPEG stream, or 0 if none is found. */
export function readJpegPrecision(data: Uint8Array): number {
  let i = 2;
  while (i + 4 < data.length) {
    if (data[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = data[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return data[i + 4];
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const len = (data[i + 2] << 8) | data[i + 3];
    i += 2 + len;
  }
  return 0;
}

/**
 * libjpeg decides between YCbCr and RGB from the JFIF/Adobe markers, else from component IDs
 * (1,2,3 means YCbCr). DICOM RGB streams without either marker and with other IDs (e.g. 0,1,2,
 * as Aperio writes) hold RGB: relabel their components 'R','G','B' so libjpeg keeps them as is.
 * Streams with IDs 1,2,3 keep libjpeg's YCbCr reading (GDCM writes subsampled YCbCr that way).
 * Returns `data` itself when nothing needs changing, else a patched copy.
 */
export function markJpegAsRgb(data: Uint8Array): Uint8Array {
  let i = 2;
  let sof = -1;
  const sos: number[] = [];
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) return data;
    const marker = data[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = (data[i + 2] << 8) | data[i + 3];
    // A JFIF marker, or a complete Adobe marker (libjpeg ignores one shorter than 12 data bytes), decides.
    if ((marker === 0xe0 && data[i + 4] === 0x4a) || (marker === 0xee && len >= 14)) return data;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) sof = i;
    if (marker === 0xda) {
      sos.push(i);
      break; // entropy-coded data follows; the first scan is enough to decide
    }
    i += 2 + len;
  }
  if (sof < 0 || sos.length === 0 || data[sof + 9] !== 3) return data;
  const ids = [data[sof + 10], data[sof + 13], data[sof + 16]];
  if (ids[0] === 1 && ids[1] === 2 && ids[2] === 3) return data;
  if (ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42) return data;
  const out = data.slice();
  const rgb = [0x52, 0x47, 0x42];
  for (let c = 0; c < 3; c++) out[sof + 10 + 3 * c] = rgb[c];
  // Every scan refers to components by ID: relabel them in all SOS headers.
  const relabelScans = (start: number) => {
    let j = start;
    while (j + 4 <= out.length) {
      if (out[j] === 0xff && out[j + 1] === 0xda) {
        const n = out[j + 4];
        for (let k = 0; k < n; k++) {
          const at = j + 5 + 2 * k;
          const idx = ids.indexOf(out[at]);
          if (idx >= 0) out[at] = rgb[idx];
        }
        j += 2 + ((out[j + 2] << 8) | out[j + 3]);
      } else j++;
    }
  };
  relabelScans(sos[0]);
  return out;
}
