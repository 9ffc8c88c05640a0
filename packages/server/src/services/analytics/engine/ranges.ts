/**
 * Standard and custom ranges. A range is measured from the close of its start day to the close of
 * its end day; on the calendar both snap to the last market day on or before them.
 */

import { addMonthsToDay, lastDayOfPreviousYear } from '@fo/schema/calendar';
import { indexOnOrBefore } from './calendar.js';

export const STANDARD_RANGES = ['1M', '3M', '6M', 'YTD', '1Y', '3Y', '5Y', 'ITD'] as const;
export type StandardRange = (typeof STANDARD_RANGES)[number];

export interface RangeRequest {
  key: StandardRange | 'custom';
  /** Custom ranges: first and last day. */
  from?: number;
  to?: number;
}

export interface ResolvedRange {
  key: StandardRange | 'custom';
  /** The requested start and end days (ITD: the scope's inception base). */
  requestedFrom: number;
  requestedTo: number;
  /** Calendar slots of the base (start) and end points; a = b when the range is empty. */
  a: number;
  b: number;
  status: 'ok' | 'insufficient_history' | 'no_data';
}

/** Start day of a standard range ending on `end`; null for ITD (the scope's inception). */
export function standardRangeStart(key: StandardRange, end: number): number | null {
  switch (key) {
    case '1M':
      return addMonthsToDay(end, -1);
    case '3M':
      return addMonthsToDay(end, -3);
    case '6M':
      return addMonthsToDay(end, -6);
    case 'YTD':
      return lastDayOfPreviousYear(end);
    case '1Y':
      return addMonthsToDay(end, -12);
    case '3Y':
      return addMonthsToDay(end, -36);
    case '5Y':
      return addMonthsToDay(end, -60);
    case 'ITD':
      return null;
  }
}

/**
 * Resolves a range on the calendar for a scope whose history starts at slot `inception` (the base
 * slot just before its first event; -1 when the scope has no events). A range that starts before
 * the scope's inception is `insufficient_history`: its figures are not those of the range asked for.
 */
export function resolveRange(
  days: Int32Array,
  inception: number,
  endDay: number,
  req: RangeRequest,
): ResolvedRange {
  const to = req.key === 'custom' ? Math.min(req.to ?? endDay, endDay) : endDay;
  const b = indexOnOrBefore(days, to);
  if (inception < 0 || b < 0) {
    const from = req.from ?? to;
    return { key: req.key, requestedFrom: from, requestedTo: to, a: 0, b: 0, status: 'no_data' };
  }
  const inceptionDay = days[inception] as number;
  const from =
    req.key === 'custom' ? (req.from as number) : (standardRangeStart(req.key, endDay) ?? inceptionDay);
  if (from < inceptionDay) {
    return {
      key: req.key,
      requestedFrom: from,
      requestedTo: to,
      a: inception,
      b,
      status: 'insufficient_history',
    };
  }
  const a = indexOnOrBefore(days, from);
  if (b <= inception || a >= b) {
    return { key: req.key, requestedFrom: from, requestedTo: to, a: Math.min(a, b), b, status: 'no_data' };
  }
  return { key: req.key, requestedFrom: from, requestedTo: to, a, b, status: 'ok' };
}
