/**
 * Holding periods (IRS Publication 550) on calendar day numbers; the day-number conversions
 * themselves are @fo/schema/calendar's.
 */
import { civilFromDays, daysFromCivil, isLeapYear } from '@fo/schema/calendar';

/**
 * The first anniversary of a holding period that starts on `day`: the same month and day one year
 * later, or 28 February when the start is 29 February (Rev. Rul. 66-7: periods run by calendar
 * months and end on the anniversary's date; 28 February closes the year that began on the 29th).
 */
export function anniversary(day: number): number {
  const [y, m, d] = civilFromDays(day);
  const next = y + 1;
  return daysFromCivil(next, m, m === 2 && d === 29 && !isLeapYear(next) ? 28 : d);
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
