/**
 * Deterministic DICOM UIDs for derived objects: the same parts (source UID, method, model)
 * always give the same UID, so storing a result twice stores nothing new. Form 2.25.<integer>
 * of a name-based UUID (RFC 9562 version 8 from SHA-256 of the parts), as PS3.5 B.2 allows. Its
 * first two bytes are the fixed marker 'mc' (0x6d63), so medcolor's own results can be told from
 * other objects by their UID alone (`isDerivedUid`); 110 bits of hash remain. Browser-safe (Web Crypto).
 */

const MARKER = [0x6d, 0x63];

/**
 * The UID for `parts` (joined unambiguously).
 *
 * @example
 * await deriveUid(['medcolor-instance', '1.2.840.113619.2.1', 'lut', '']); // '2.25.1452...'
 */
export async function deriveUid(parts: string[]): Promise<string> {
  const text = parts.map((p) => `${p.length}:${p}`).join('|');
  const hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const b = hash.slice(0, 16);
  b.set(MARKER, 0);
  b[6] = (b[6] & 0x0f) | 0x80; // version 8 (custom, name-based)
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

/**
 * Whether a UID was made by {@link deriveUid} (a medcolor result), from its form alone.
 *
 * @example
 * isDerivedUid(await deriveUid(['x'])); // true
 * isDerivedUid('1.2.840.113619.2.1'); // false
 */
export function isDerivedUid(uid: string): boolean {
  const m = /^2\.25\.(\d{1,39})$/.exec(uid);
  if (!m) return false;
  const hex = BigInt(m[1]).toString(16).padStart(32, '0');
  return hex.length === 32 && hex.startsWith('6d63') && hex[12] === '8' && '89ab'.includes(hex[16]);
}
