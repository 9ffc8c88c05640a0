/**
 * Fixed-point arithmetic for the ledger engine. Quantities are integers in units of 1e-10 (the
 * `numeric(28,10)` columns), money and prices in units of 1e-8 (`numeric(24,8)`), held as bigint.
 *
 * Why not decimal.js here: a full replay of a million transactions must run in about a second, and
 * decimal.js allocates several objects per operation. bigint keeps the arithmetic exact at the
 * columns' own scale, which is also what PostgreSQL stores, so the engine and the database agree to
 * the last digit. Every division rounds half away from zero, like decimal.js ROUND_HALF_UP and
 * PostgreSQL's numeric rounding.
 */

export const QTY_SCALE = 10;
export const MONEY_SCALE = 8;
/** One share, in quantity units. */
export const ONE_QTY = 10n ** BigInt(QTY_SCALE);
/** One currency unit, in money units. */
export const ONE_MONEY = 10n ** BigInt(MONEY_SCALE);

const POW10: bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));

/** a × b ÷ c, rounded half away from zero. c must not be zero. */
export function mulDiv(a: bigint, b: bigint, c: bigint): bigint {
  let n = a * b;
  let d = c;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d;
  const r = n - q * d;
  if (r === 0n) return q;
  const twice = r < 0n ? -r * 2n : r * 2n;
  if (twice >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

/** Cost of `quantity` shares at `price` per share, in money units (qty 1e-10 × price 1e-8 → 1e-8). */
export function extend(quantity: bigint, price: bigint): bigint {
  return mulDiv(quantity, price, ONE_QTY);
}

export function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

export function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/**
 * Parses a decimal string ('-12.5', '0.0000000001', '100') into a scaled bigint. Digits beyond
 * `scale` are rounded half away from zero. Exponents are not accepted: callers pass numeric column
 * values or `Decimal#toFixed()` output.
 */
export function parseFixed(text: string, scale: number): bigint {
  let s = text.trim();
  let negative = false;
  if (s.startsWith('-')) {
    negative = true;
    s = s.slice(1);
  } else if (s.startsWith('+')) {
    s = s.slice(1);
  }
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) throw new RangeError(`Not a plain decimal number: '${text}'`);
  const dot = s.indexOf('.');
  const intPart = dot < 0 ? s : s.slice(0, dot);
  let frac = dot < 0 ? '' : s.slice(dot + 1);
  let roundUp = false;
  if (frac.length > scale) {
    roundUp = frac.charCodeAt(scale) >= 53; // '5'
    frac = frac.slice(0, scale);
  }
  let value = BigInt((intPart || '0') + frac.padEnd(scale, '0'));
  if (roundUp) value += 1n;
  return negative ? -value : value;
}

/**
 * Fast path for column values known to be plain decimals with at most `scale` fraction digits (what
 * node-postgres returns for numeric columns). Falls back to parseFixed for anything else.
 */
export function parseColumn(text: string, scale: number): bigint {
  const dot = text.indexOf('.');
  if (dot < 0) return BigInt(text) * (POW10[scale] as bigint);
  const fracLen = text.length - dot - 1;
  if (fracLen > scale) return parseFixed(text, scale);
  return BigInt(text.slice(0, dot) + text.slice(dot + 1)) * (POW10[scale - fracLen] as bigint);
}

/** Formats a scaled bigint as a plain decimal string with trailing zeros trimmed ('12.5', '-0.25', '3'). */
export function formatFixed(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const intPart = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  const body = frac ? `${intPart}.${frac}` : intPart;
  return negative ? `-${body}` : body;
}

export const qty = (text: string): bigint => parseFixed(text, QTY_SCALE);
export const money = (text: string): bigint => parseFixed(text, MONEY_SCALE);
export const formatQty = (value: bigint): string => formatFixed(value, QTY_SCALE);
export const formatMoney = (value: bigint): string => formatFixed(value, MONEY_SCALE);
