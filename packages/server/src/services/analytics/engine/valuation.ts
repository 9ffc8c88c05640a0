/**
 * Daily valuation of a scope on the calendar: positions × prices × FX plus cash, in the base
 * currency, with the scope's external flows.
 *
 * - A book scope (the whole portfolio, or one account) is valued as its accounts' cash plus their
 *   positions; its external flows are deposits, withdrawals and transfers in/out (cash, or
 *   securities at market value). Buys and sells inside it are not flows.
 * - A holding scope is valued as the one position; money goes in when it is bought and comes out
 *   when it is sold or pays a dividend, so its flows are the negated cash effects of its trades.
 *
 * A value that cannot be computed (a held symbol without a price in force, a currency without a
 * rate) is NaN, and the slots are reported as missing runs rather than valued at zero.
 */
import type { PreparedModel } from './prepare.js';
import { EventKind } from './types.js';

export type Scope =
  | { kind: 'book'; accounts: Int32Array; positions: Int32Array }
  | { kind: 'holding'; position: number };

export interface MissingRun {
  kind: 'price' | 'fx';
  /** Symbol index for price runs, currency index for FX runs. */
  key: number;
  /** First and last calendar slot without a value. */
  from: number;
  to: number;
}

export interface ScopeSeries {
  /** Market value in the base currency per slot; NaN where it cannot be computed. */
  value: Float64Array;
  /** External flows per slot (applied at the start of that market day), base currency. */
  flow: Float64Array;
  /** The same flows on their actual dates, summed per day, ascending (for XIRR). */
  flowDays: Int32Array;
  flowAmounts: Float64Array;
  /** Slot of the scope's first event, or -1 when it has none. */
  firstSlot: number;
  missing: MissingRun[];
}

const ZERO = 1e-9;

class RunCollector {
  private readonly runs = new Map<string, { kind: 'price' | 'fx'; key: number; spans: number[] }>();

  add(kind: 'price' | 'fx', key: number, slot: number): void {
    const id = `${kind}:${key}`;
    let entry = this.runs.get(id);
    if (!entry) {
      entry = { kind, key, spans: [] };
      this.runs.set(id, entry);
    }
    const s = entry.spans;
    const n = s.length;
    if (n >= 2 && (s[n - 1] as number) + 1 >= slot && (s[n - 2] as number) <= slot) {
      if (slot > (s[n - 1] as number)) s[n - 1] = slot;
    } else s.push(slot, slot);
  }

  result(): MissingRun[] {
    const out: MissingRun[] = [];
    for (const { kind, key, spans } of this.runs.values()) {
      const pairs: [number, number][] = [];
      for (let i = 0; i < spans.length; i += 2) pairs.push([spans[i] as number, spans[i + 1] as number]);
      pairs.sort((a, b) => a[0] - b[0]);
      let cur: [number, number] | null = null;
      for (const p of pairs) {
        if (cur && p[0] <= cur[1] + 1) cur[1] = Math.max(cur[1], p[1]);
        else {
          if (cur) out.push({ kind, key, from: cur[0], to: cur[1] });
          cur = [p[0], p[1]];
        }
      }
      if (cur) out.push({ kind, key, from: cur[0], to: cur[1] });
    }
    return out.sort((a, b) => a.from - b.from || a.key - b.key);
  }
}

class FlowList {
  days: number[] = [];
  amounts: number[] = [];
  push(day: number, amount: number): void {
    this.days.push(day);
    this.amounts.push(amount);
  }
  /** Sorted by day, one entry per day. */
  finish(): { days: Int32Array; amounts: Float64Array } {
    const order = this.days
      .map((_, i) => i)
      .sort((a, b) => (this.days[a] as number) - (this.days[b] as number));
    const days: number[] = [];
    const amounts: number[] = [];
    for (const i of order) {
      const d = this.days[i] as number;
      const a = this.amounts[i] as number;
      if (days.length && days[days.length - 1] === d)
        amounts[amounts.length - 1] = (amounts[amounts.length - 1] as number) + a;
      else {
        days.push(d);
        amounts.push(a);
      }
    }
    return { days: Int32Array.from(days), amounts: Float64Array.from(amounts) };
  }
}

/**
 * Adds position p's daily value into `value`; records security-transfer flows (book scopes) or
 * trade flows (holding scopes).
 */
export function walkPosition(
  m: PreparedModel,
  p: number,
  value: Float64Array,
  flow: Float64Array,
  flows: FlowList | null,
  holding: boolean,
  missing: RunCollector | null,
): number {
  const { book, market } = m.input;
  const ev = book.events;
  const n = m.days.length;
  const eventSlot = m.eventSlot;
  const byPosition = m.byPosition;
  const sym = book.positionSymbol[p] as number;
  const px = m.prices[sym] as Float64Array;
  const symCurrency = market.symbolCurrency[sym] as number;
  const fxPos = m.fx[symCurrency] as Float64Array;
  const fxAcct = m.fx[book.accountCurrency[book.positionAccount[p] as number] as number] as Float64Array;
  let k = m.posStart[p] as number;
  const end = m.posStart[p + 1] as number;
  if (k >= end) return -1;
  const firstSlot = eventSlot[byPosition[k] as number] as number;
  let qty = 0;
  let i = firstSlot;
  while (i < n) {
    // The events of slot i, then the stretch until the next event at a constant quantity.
    while (k < end) {
      const e = byPosition[k] as number;
      if ((eventSlot[e] as number) !== i) break;
      k++;
      const kind = ev.kind[e] as number;
      const q = ev.quantity[e] as number;
      if (kind === EventKind.Split) {
        qty *= q;
      } else {
        qty += q;
        if (kind === EventKind.SecurityTransfer) {
          const amount = q * (px[i] as number) * (fxPos[i] as number);
          flow[i] = (flow[i] as number) + amount;
          flows?.push(ev.day[e] as number, amount);
        } else if (holding) {
          const c = ev.cash[e] as number;
          if (c !== 0) {
            const amount = -c * (fxAcct[i] as number);
            flow[i] = (flow[i] as number) + amount;
            flows?.push(ev.day[e] as number, amount);
          }
        }
      }
      if (Math.abs(qty) < ZERO) qty = 0;
    }
    const stop = k < end ? Math.min(eventSlot[byPosition[k] as number] as number, n) : n;
    if (qty !== 0) {
      for (let j = i; j < stop; j++) {
        const v = qty * (px[j] as number) * (fxPos[j] as number);
        if (Number.isNaN(v)) {
          if (Number.isNaN(px[j] as number)) missing?.add('price', sym, j);
          else missing?.add('fx', symCurrency, j);
        }
        value[j] = (value[j] as number) + v;
      }
    }
    i = stop;
  }
  return firstSlot;
}

function walkCash(
  m: PreparedModel,
  a: number,
  value: Float64Array,
  flow: Float64Array,
  flows: FlowList,
  missing: RunCollector,
): number {
  const { book } = m.input;
  const ev = book.events;
  const n = m.days.length;
  const currency = book.accountCurrency[a] as number;
  const fx = m.fx[currency] as Float64Array;
  let k = m.acctStart[a] as number;
  const end = m.acctStart[a + 1] as number;
  if (k >= end) return -1;
  const firstSlot = m.eventSlot[m.byAccount[k] as number] as number;
  let cash = 0;
  for (let i = firstSlot; i < n; i++) {
    while (k < end) {
      const e = m.byAccount[k] as number;
      if ((m.eventSlot[e] as number) !== i) break;
      k++;
      cash += ev.cash[e] as number;
      const f = ev.flow[e] as number;
      if (f !== 0) {
        const amount = f * (fx[i] as number);
        flow[i] = (flow[i] as number) + amount;
        flows.push(ev.day[e] as number, amount);
      }
    }
    if (Math.abs(cash) < ZERO) continue;
    const rate = fx[i] as number;
    if (Number.isNaN(rate)) missing.add('fx', currency, i);
    value[i] = (value[i] as number) + cash * rate;
  }
  return firstSlot;
}

export function valueScope(m: PreparedModel, scope: Scope): ScopeSeries {
  const n = m.days.length;
  const value = new Float64Array(n);
  const flow = new Float64Array(n);
  const flows = new FlowList();
  const missing = new RunCollector();
  let firstSlot = -1;
  const seeFirst = (slot: number) => {
    if (slot >= 0 && (firstSlot < 0 || slot < firstSlot)) firstSlot = slot;
  };
  if (scope.kind === 'holding') {
    seeFirst(walkPosition(m, scope.position, value, flow, flows, true, missing));
  } else {
    for (const a of scope.accounts) seeFirst(walkCash(m, a, value, flow, flows, missing));
    for (const p of scope.positions) seeFirst(walkPosition(m, p, value, flow, flows, false, missing));
  }
  const f = flows.finish();
  return {
    value,
    flow,
    flowDays: f.days,
    flowAmounts: f.amounts,
    firstSlot: firstSlot >= n ? -1 : firstSlot,
    missing: missing.result(),
  };
}

export interface Snapshot {
  /** Quantity of each position after the events up to and including `slot`. */
  quantity: Float64Array;
  /** Cash of each account, in its own currency. */
  cash: Float64Array;
  /** Base-currency value of each position and each account's cash (NaN when unknown). */
  positionValue: Float64Array;
  cashValue: Float64Array;
}

/** Positions and cash as of a calendar slot, valued with that slot's prices and rates. */
export function snapshotAt(m: PreparedModel, slot: number): Snapshot {
  const { book, market } = m.input;
  const ev = book.events;
  const P = book.positionAccount.length;
  const A = book.accountCurrency.length;
  const quantity = new Float64Array(P);
  const cash = new Float64Array(A);
  for (let e = 0; e < ev.count; e++) {
    if ((m.eventSlot[e] as number) > slot) continue;
    cash[ev.account[e] as number] = (cash[ev.account[e] as number] as number) + (ev.cash[e] as number);
    const p = ev.position[e] as number;
    if (p < 0) continue;
    const q = ev.quantity[e] as number;
    quantity[p] = ev.kind[e] === EventKind.Split ? (quantity[p] as number) * q : (quantity[p] as number) + q;
    if (Math.abs(quantity[p] as number) < ZERO) quantity[p] = 0;
  }
  const positionValue = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    const q = quantity[p] as number;
    if (q === 0) continue;
    const sym = book.positionSymbol[p] as number;
    const fx = m.fx[market.symbolCurrency[sym] as number] as Float64Array;
    positionValue[p] = q * ((m.prices[sym] as Float64Array)[slot] as number) * (fx[slot] as number);
  }
  const cashValue = new Float64Array(A);
  for (let a = 0; a < A; a++) {
    const c = cash[a] as number;
    if (Math.abs(c) < ZERO) continue;
    cashValue[a] = c * ((m.fx[book.accountCurrency[a] as number] as Float64Array)[slot] as number);
  }
  return { quantity, cash, positionValue, cashValue };
}
