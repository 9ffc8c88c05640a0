/**
 * Turns a ModelInput into the structures every scope and range reuses: the calendar, each price
 * and FX series filled onto it, each event's calendar slot, and events grouped by position and by
 * account. Done once per (user, data version); every scope and range afterwards is a slice.
 */
import { buildCalendar, fillOnCalendar } from './calendar.js';
import type { ModelInput } from './types.js';

export interface PreparedModel {
  input: ModelInput;
  days: Int32Array;
  /** Filled closes per symbol on the calendar (NaN: unknown). */
  prices: Float64Array[];
  /** Filled rate to the base currency per currency (NaN: unknown; 1 for the base). */
  fx: Float64Array[];
  /** Calendar slot of each event (the first market day on or after its date); `days.length` if after the end. */
  eventSlot: Int32Array;
  /** Events grouped by position: ids of position p are byPosition[posStart[p] .. posStart[p+1]). */
  posStart: Int32Array;
  byPosition: Int32Array;
  acctStart: Int32Array;
  byAccount: Int32Array;
  /** Events dated after the end day (ignored, reported). */
  futureEvents: number;
}

function group(keys: Int32Array, count: number, groups: number): { start: Int32Array; ids: Int32Array } {
  const start = new Int32Array(groups + 1);
  for (let e = 0; e < count; e++) {
    const k = keys[e] as number;
    if (k >= 0) (start[k + 1] as number)++;
  }
  for (let g = 0; g < groups; g++) start[g + 1] = (start[g + 1] as number) + (start[g] as number);
  const cursor = start.slice(0, groups);
  const ids = new Int32Array(start[groups] as number);
  // Events arrive in date order, so each group stays in date order.
  for (let e = 0; e < count; e++) {
    const k = keys[e] as number;
    if (k >= 0) ids[(cursor[k] as number)++] = e;
  }
  return { start, ids };
}

export function prepareModel(input: ModelInput): PreparedModel {
  const { book, market } = input;
  const ev = book.events;
  const firstEventDay = ev.count > 0 ? (ev.day[0] as number) : input.endDay;
  const start = Math.min(firstEventDay, input.endDay) - 1;

  // Days on which any series has an observation, as a bitmap over [start, end].
  const span = input.endDay - start + 1;
  const seen = new Uint8Array(Math.max(span, 1));
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const series of market.prices) {
    for (let i = 0; i < series.days.length; i++) {
      const d = series.days[i] as number;
      if (d < start || d > input.endDay) continue;
      seen[d - start] = 1;
      if (d < first) first = d;
      if (d > last) last = d;
    }
  }
  const days = buildCalendar(
    start,
    input.endDay,
    (d) => seen[d - start] === 1,
    Number.isFinite(first) ? { first, last } : null,
  );

  const prices = market.prices.map((s) => fillOnCalendar(days, s.days, s.values, market.maxGapDays));
  const fx = market.fx.map((s, c) =>
    c === market.baseCurrency
      ? new Float64Array(days.length).fill(1)
      : fillOnCalendar(days, s.days, s.values, market.maxGapDays),
  );

  // Events are in date order: one merge walk with the calendar.
  const eventSlot = new Int32Array(ev.count);
  let futureEvents = 0;
  let slot = 0;
  for (let e = 0; e < ev.count; e++) {
    const d = ev.day[e] as number;
    while (slot < days.length && (days[slot] as number) < d) slot++;
    eventSlot[e] = slot;
    if (slot >= days.length) futureEvents++;
  }
  const byPos = group(ev.position, ev.count, book.positionAccount.length);
  const byAcct = group(ev.account, ev.count, book.accountCurrency.length);

  return {
    input,
    days,
    prices,
    fx,
    eventSlot,
    posStart: byPos.start,
    byPosition: byPos.ids,
    acctStart: byAcct.start,
    byAccount: byAcct.ids,
    futureEvents,
  };
}
