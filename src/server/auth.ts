/**
 * Bearer-token check of the HTTP API. The token is compared in constant time: both sides are
 * hashed (SHA-256) first, so neither the content nor the length of the expected token leaks
 * through the comparison's timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether an `Authorization` header carries `Bearer <token>`.
 *
 * @example
 * isAuthorized('Bearer s3cret', 's3cret'); // true
 */
export function isAuthorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ ]+(.+)$/i.exec(header ?? '');
  // Always compare, even without a header, so a missing header costs the same as a wrong one.
  const given = digest(m ? m[1].trim() : '');
  return timingSafeEqual(given, digest(token)) && m !== null;
}
