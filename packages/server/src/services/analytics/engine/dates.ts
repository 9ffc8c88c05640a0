/**
 * Calendar dates as integer day numbers (days since 1970-01-01, UTC). The engine's series are
 * indexed by these: integer arithmetic, no time zones, no Date objects in the hot loops.
 */

const MS_PER_DAY = 86_400_000;

/** 'YYYY-MM-DD' → day number. The input is trusted (schemas and PostgreSQL `date` produce it). */
export function isoToDay(iso: string): number {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  return Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

/** Day number → 'YYYY-MM-DD'. */
export function dayToIso(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekday(day: number): boolean {
  const w = weekday(day);
  return w !== 0 && w !== 6;
}

/**
 * The same day of the month `months` months earlier or later, clamped to the month's last day
 * (2024-03-31 minus one month is 2024-02-29).
 */
export function addMonths(day: number, months: number): number {
  const date = new Date(day * MS_PER_DAY);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const d = date.getUTCDate();
  const lastOfTarget = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.round(Date.UTC(y, m, Math.min(d, lastOfTarget)) / MS_PER_DAY);
}

/** December 31 of the previous year: the base of a year-to-date range. */
export function lastDayOfPreviousYear(day: number): number {
  const y = new Date(day * MS_PER_DAY).getUTCFullYear();
  return Math.round(Date.UTC(y, 0, 0) / MS_PER_DAY);
}
