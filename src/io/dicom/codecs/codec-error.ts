/** The text of an exception thrown by a frame decoder, for error messages. Browser-safe: no Node built-ins. */

/** Describes an exception thrown out of a WebAssembly codec (often a bare pointer number). */
export function describeCodecError(e: unknown, decoder?: EmscriptenCodecDecoder): string {
  let extra = '';
  try {
    extra = decoder?.getLastErrorMessage?.() ?? '';
  } catch {
    /* the decoder may be unusable after a failure */
  }
  if (typeof e === 'number') return `native codec exception${extra ? `: ${extra}` : ` (code ${e})`}`;
  if (e instanceof Error) return e.message + (extra ? ` (${extra})` : '');
  return String(e) + (extra ? ` (${extra})` : '');
}
