/**
 * The analytics calendar and forward-filled price series on it.
 *
 * The calendar holds market days: weekdays on which at least one loaded series (the user's symbols
 * and the benchmark) has an observation. Outside the span of the loaded observations every weekday
 * counts, so a cash-only history still has daily points. Weekends and market holidays are not on
 * the calendar: whatever happens on them (a weekend deposit, say) is applied at the start of the
 * next market day, which is exactly what a daily calendar with zero weekend returns would give.
 * The first day (the base, before any event) and the requested end day are always on it.
 */
import { isWeekday } from '@fo/schema/calendar';

/**
 * Market days from `start` to `end` inclusive. `observed(day)` tells whether any series has an
 * observation on that day; `span` is the first and last observed day (null: none at all).
 */
export function buildCalendar(
  start: number,
  end: number,
  observed: (day: number) => boolean,
  span: { first: number; last: number } | null,
): Int32Array {
  if (end < start) return Int32Array.of(start);
  const out = new Int32Array(end - start + 1);
  let n = 0;
  out[n++] = start;
  for (let day = start + 1; day < end; day++) {
    if (!isWeekday(day)) continue;
    const inSpan = span !== null && day >= span.first && day <= span.last;
    if (!inSpan || observed(day)) out[n++] = day;
  }
  if (end > start) out[n++] = end;
  return out.slice(0, n);
}

/** Largest index whose day is ≤ `day`, or -1. */
export function indexOnOrBefore(days: Int32Array, day: number): number {
  let lo = 0;
  let hi = days.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((days[mid] as number) <= day) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Smallest index whose day is ≥ `day`, or `days.length`. */
export function indexOnOrAfter(days: Int32Array, day: number): number {
  let lo = 0;
  let hi = days.length - 1;
  let found = days.length;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((days[mid] as number) >= day) {
      found = mid;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  return found;
}

/**
 * Forward-fills observations (ascending days) onto the calendar. An observation stays valid for
 * `maxGapDays` calendar days after its own date; beyond that the value is NaN (unknown), so a gap
 * longer than the limit is never bridged silently: the valuation reports the days it could not
 * value. Nothing is filled backwards before the first observation.
 */
export function fillOnCalendar(
  days: Int32Array,
  obsDays: Int32Array,
  obsValues: Float64Array,
  maxGapDays: number,
): Float64Array {
  const out = new Float64Array(days.length);
  let j = 0;
  const m = obsDays.length;
  for (let i = 0; i < days.length; i++) {
    const day = days[i] as number;
    while (j < m && (obsDays[j] as number) <= day) j++;
    const last = j - 1;
    out[i] =
      last >= 0 && day - (obsDays[last] as number) <= maxGapDays ? (obsValues[last] as number) : Number.NaN;
  }
  return out;
}

/** The observation date in force on `day` (the last one on or before it), or null. */
export function lastObservationOnOrBefore(obsDays: Int32Array, day: number): number | null {
  const i = indexOnOrBefore(obsDays, day);
  return i < 0 ? null : (obsDays[i] as number);
}
