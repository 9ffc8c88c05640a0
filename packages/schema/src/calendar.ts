/**
 * Calendar dates as day numbers (days since 1970-01-01): integer arithmetic, no time zones and no
 * Date objects, so the ledger's replays, the analytics engine's series and the amortization
 * schedules can do date math in their hot loops. Conversions use Howard Hinnant's
 * days_from_civil / civil_from_days algorithms (proleptic Gregorian calendar).
 *
 * Inputs are trusted 'YYYY-MM-DD' strings (schemas and PostgreSQL `date` produce them); validate
 * untrusted text with zIsoDate first.
 */

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : MONTH_DAYS[m - 1]!;
}

/** The day number of year `y`, month `m` (1-12), day `d`. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month (1-12), day] of a day number. */
export function civilFromDays(day: number): [number, number, number] {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

/** 'YYYY-MM-DD' → [year, month, day], read digit by digit (no allocation). */
function parseIso(iso: string): [number, number, number] {
  const y =
    (iso.charCodeAt(0) - 48) * 1000 +
    (iso.charCodeAt(1) - 48) * 100 +
    (iso.charCodeAt(2) - 48) * 10 +
    (iso.charCodeAt(3) - 48);
  const m = (iso.charCodeAt(5) - 48) * 10 + (iso.charCodeAt(6) - 48);
  const d = (iso.charCodeAt(8) - 48) * 10 + (iso.charCodeAt(9) - 48);
  return [y, m, d];
}

export function formatIsoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** 'YYYY-MM-DD' → day number. */
export function isoToDay(iso: string): number {
  const [y, m, d] = parseIso(iso);
  return daysFromCivil(y, m, d);
}

/** Day number → 'YYYY-MM-DD'. */
export function dayToIso(day: number): string {
  const [y, m, d] = civilFromDays(day);
  return formatIsoDate(y, m, d);
}

export function addDays(iso: string, days: number): string {
  return dayToIso(isoToDay(iso) + days);
}

/** [y, m, d] moved by `months`, the day clamped to the target month's last (Mar 31 - 1 month = Feb 28/29). */
function shiftMonths(y: number, m: number, d: number, months: number): [number, number, number] {
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return [year, month, Math.min(d, daysInMonth(year, month))];
}

/** The same day of the month `months` months later (or earlier), clamped to the month's last day. */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = parseIso(iso);
  return formatIsoDate(...shiftMonths(y, m, d, months));
}

/** addMonths on day numbers. */
export function addMonthsToDay(day: number, months: number): number {
  const [y, m, d] = civilFromDays(day);
  return daysFromCivil(...shiftMonths(y, m, d, months));
}

/** December 31 of the previous year: the base of a year-to-date range. */
export function lastDayOfPreviousYear(day: number): number {
  return daysFromCivil(civilFromDays(day)[0], 1, 1) - 1;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekday(day: number): boolean {
  const w = weekday(day);
  return w !== 0 && w !== 6;
}
