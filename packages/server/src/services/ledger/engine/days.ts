/**
 * Calendar dates as day numbers (days since 1970-01-01, UTC): cheap to compare and subtract, and
 * free of time zones. Conversions use Howard Hinnant's days-from-civil algorithm.
 */

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

/** 'YYYY-MM-DD' → day number. The string must be a valid ISO calendar date. */
export function dayOf(iso: string): number {
  const y =
    (iso.charCodeAt(0) - 48) * 1000 +
    (iso.charCodeAt(1) - 48) * 100 +
    (iso.charCodeAt(2) - 48) * 10 +
    (iso.charCodeAt(3) - 48);
  const m = (iso.charCodeAt(5) - 48) * 10 + (iso.charCodeAt(6) - 48);
  const d = (iso.charCodeAt(8) - 48) * 10 + (iso.charCodeAt(9) - 48);
  return daysFromCivil(y, m, d);
}

/** Day number → 'YYYY-MM-DD'. */
export function isoOf(day: number): string {
  const [y, m, d] = civilFromDays(day);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * The first anniversary of a holding period that starts on `day`: the same month and day one year
 * later, or 28 February when the start is 29 February (Rev. Rul. 66-7: periods run by calendar
 * months and end on the anniversary's date; 28 February closes the year that began on the 29th).
 */
export function anniversary(day: number): number {
  const [y, m, d] = civilFromDays(day);
  const next = y + 1;
  return daysFromCivil(next, m, m === 2 && d === 29 && !isLeap(next) ? 28 : d);
}

/**
 * Long-term iff held more than one year. IRS Publication 550 ("Holding Period"): start counting on
 * the day after acquisition; the day of disposal counts. So a sale on the anniversary is short-term
 * (held exactly one year) and a sale on the day after it is long-term. Example in Pub 550: bought
 * February 5, 2022 and sold February 5, 2023 → short-term; sold February 6, 2023 → long-term.
 */
export function isLongTerm(holdingStartDay: number, disposedDay: number): boolean {
  let a = anniversaries.get(holdingStartDay);
  if (a === undefined) {
    a = anniversary(holdingStartDay);
    if (anniversaries.size > 100_000) anniversaries.clear();
    anniversaries.set(holdingStartDay, a);
  }
  return disposedDay > a;
}

// Replays ask for the same few thousand acquisition dates again and again.
const anniversaries = new Map<number, number>();
