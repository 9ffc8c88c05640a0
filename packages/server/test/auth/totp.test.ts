import { describe, expect, it } from 'vitest';
import { matchTotp, timeStep, totpAt, totpAtStep } from '../../src/auth/totp.js';

// RFC 6238 Appendix B: the SHA-1 test key is the ASCII string "12345678901234567890", 30 s steps,
// 8 digits. https://www.rfc-editor.org/rfc/rfc6238#appendix-B
const RFC_KEY = new TextEncoder().encode('12345678901234567890');
const RFC_SHA1_VECTORS: [seconds: number, step: string, code: string][] = [
  [59, '0000000000000001', '94287082'],
  [1111111109, '00000000023523EC', '07081804'],
  [1111111111, '00000000023523ED', '14050471'],
  [1234567890, '000000000273EF07', '89005924'],
  [2000000000, '0000000003F940AA', '69279037'],
  [20000000000, '0000000027BC86AA', '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_SHA1_VECTORS)('at T=%i (step %s) the 8-digit SHA-1 code is %s', (seconds, step, code) => {
    expect(timeStep(seconds * 1000)).toBe(Number.parseInt(step, 16));
    expect(totpAt(RFC_KEY, seconds * 1000, 8)).toBe(code);
  });

  it.each(RFC_SHA1_VECTORS)(
    'at T=%i the 6-digit code is the last six digits of the RFC value',
    (seconds, _step, code) => {
      // Dynamic truncation takes the value mod 10^digits (RFC 4226 section 5.3), so the 6-digit code
      // is the 8-digit one's last six digits.
      expect(totpAt(RFC_KEY, seconds * 1000)).toBe(code.slice(2));
    },
  );

  it('accepts one step of drift either way and nothing further', () => {
    const now = 1111111111 * 1000;
    const step = timeStep(now);
    for (const offset of [-1, 0, 1]) {
      expect(matchTotp(RFC_KEY, totpAtStep(RFC_KEY, step + offset), now, null)).toBe(step + offset);
    }
    for (const offset of [-2, 2]) {
      expect(matchTotp(RFC_KEY, totpAtStep(RFC_KEY, step + offset), now, null)).toBeNull();
    }
  });

  it('refuses a code of a step at or before the last one used (single use)', () => {
    const now = 1234567890 * 1000;
    const step = timeStep(now);
    const code = totpAtStep(RFC_KEY, step);
    expect(matchTotp(RFC_KEY, code, now, step - 1)).toBe(step);
    expect(matchTotp(RFC_KEY, code, now, step)).toBeNull();
    expect(matchTotp(RFC_KEY, totpAtStep(RFC_KEY, step + 1), now, step)).toBe(step + 1);
  });

  it('refuses malformed codes', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 345']) {
      expect(matchTotp(RFC_KEY, code, 59_000, null)).toBeNull();
    }
  });
});
