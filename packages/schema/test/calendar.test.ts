import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  addMonthsToDay,
  daysInMonth,
  dayToIso,
  isoToDay,
  isWeekday,
  lastDayOfPreviousYear,
  weekday,
} from '../src/calendar.js';

const MS_PER_DAY = 86_400_000;

describe('calendar day numbers', () => {
  it('agrees with Date.UTC on every day from 1899 to 2101, both ways', () => {
    const mismatches: string[] = [];
    for (let day = isoToDay('1899-01-01'); day <= isoToDay('2101-12-31'); day++) {
      const iso = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
      if (dayToIso(day) !== iso || isoToDay(iso) !== day) mismatches.push(iso);
    }
    expect(mismatches).toEqual([]);
    expect(isoToDay('2101-12-31') - isoToDay('1899-01-01')).toBe(74_143);
  });

  it('counts from the Unix epoch', () => {
    expect(isoToDay('1970-01-01')).toBe(0);
    expect(isoToDay('1969-12-31')).toBe(-1);
    expect(isoToDay('2000-03-01')).toBe(11_017);
  });

  it('knows leap years: 2000 and 2024 are, 1900 and 2100 are not', () => {
    expect([2000, 2024, 1900, 2100].map((y) => daysInMonth(y, 2))).toEqual([29, 29, 28, 28]);
  });
});

describe('date arithmetic', () => {
  it('adds days across months and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2024-03-01', -366)).toBe('2023-03-01');
  });

  it('adds months, clamping to the last day of the target month, in both directions', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonths('2024-01-15', -1)).toBe('2023-12-15');
    expect(addMonths('2024-01-15', -25)).toBe('2021-12-15');
    expect(addMonths('2024-11-30', 14)).toBe('2026-01-30');
    expect(dayToIso(addMonthsToDay(isoToDay('2024-05-31'), -3))).toBe('2024-02-29');
  });

  it('finds the base of a year-to-date range and the day of the week', () => {
    expect(dayToIso(lastDayOfPreviousYear(isoToDay('2026-11-24')))).toBe('2025-12-31');
    expect(dayToIso(lastDayOfPreviousYear(isoToDay('2026-01-01')))).toBe('2025-12-31');
    // 2026-11-24 is a Tuesday; 1970-01-01 was a Thursday.
    expect(weekday(isoToDay('2026-11-24'))).toBe(2);
    expect(weekday(0)).toBe(4);
    expect(isWeekday(isoToDay('2026-11-28'))).toBe(false);
    expect(isWeekday(isoToDay('2026-11-27'))).toBe(true);
  });
});
