import { z } from 'zod';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date, 'YYYY-MM-DD', that exists in the Gregorian calendar. */
export const zIsoDate = z
  .string()
  .regex(ISO_DATE, { message: "Expected a calendar date 'YYYY-MM-DD'" })
  .refine(isValidIsoDate, { message: 'Not a real calendar date' });

export type IsoDate = string;

export function isValidIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
  );
}

/** Today's calendar date in UTC, 'YYYY-MM-DD'. */
export function todayIso(now: Date = new Date()): IsoDate {
  return now.toISOString().slice(0, 10);
}
