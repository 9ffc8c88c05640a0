/**
 * Synthetic brokerage history for the ledger benches: `rows` transactions over `symbols` symbols
 * and `years` years, in trade-date order, in one account, shaped like a long-term investor's
 * statements: purchases 56 % of rows, dividends 25 % (two in five reinvested), sales 13 %
 * (rebalancing: 5–30 % of the position, so a sale takes many lots), cash rows 6 % (deposits,
 * interest, fees) and a rare 2:1 split. Prices follow a daily random walk per symbol (8 %/year
 * drift, 20 %/year volatility), advanced by the calendar days between a symbol's events, so a
 * symbol behaves alike however many rows are drawn. Sales at a loss with a purchase within 30
 * days are wash sales, as they would be. Deterministic (a seeded generator), so runs compare.
 */

export interface SyntheticRow {
  type: 'buy' | 'sell' | 'dividend' | 'split' | 'deposit' | 'interest' | 'fee';
  symbol: string | null;
  tradeDate: string;
  quantity: string | null;
  price: string | null;
  fees: string;
  amount: string | null;
  reinvested: boolean;
  splitTo: string | null;
  splitFrom: string | null;
  externalId: string;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function symbolName(i: number): string {
  return `SYM${String(i).padStart(4, '0')}`;
}

/** Integer cents as a decimal string. */
function centsText(c: number): string {
  const s = String(c).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

const DRIFT = 0.08 / 365;
const VOLATILITY = 0.2 / Math.sqrt(365);

export function syntheticHistory(opts: {
  rows: number;
  symbols: number;
  years: number;
  seed?: number;
}): SyntheticRow[] {
  const rand = mulberry32(opts.seed ?? 42);
  // A standard normal draw, near enough: the sum of 12 uniforms minus 6.
  const normal = () => {
    let s = -6;
    for (let k = 0; k < 12; k++) s += rand();
    return s;
  };
  const start = Date.UTC(2015, 0, 2);
  const span = opts.years * 365;
  const dates = Array.from({ length: span }, (_, d) =>
    new Date(start + d * 86_400_000).toISOString().slice(0, 10),
  );
  const names = Array.from({ length: opts.symbols }, (_, i) => symbolName(i));
  const held = new Array<number>(opts.symbols).fill(0);
  const price = Array.from({ length: opts.symbols }, () => 20 + rand() * 180);
  const priceDay = new Array<number>(opts.symbols).fill(0);
  const rows: SyntheticRow[] = new Array(opts.rows);
  for (let i = 0; i < opts.rows; i++) {
    const day = Math.floor((i / opts.rows) * span);
    const tradeDate = dates[day] as string;
    const externalId = `bench-${i}`;
    const none = { quantity: null, price: null, reinvested: false, splitTo: null, splitFrom: null };
    const r = rand();
    if (r >= 0.94) {
      // Cash: a monthly-ish deposit, interest, or an account fee.
      const kind = r < 0.97 ? 'deposit' : r < 0.99 ? 'interest' : 'fee';
      const cents =
        kind === 'deposit' ? 100_000 + Math.floor(rand() * 900_000) : 100 + Math.floor(rand() * 5_000);
      rows[i] = {
        ...none,
        type: kind,
        symbol: null,
        tradeDate,
        fees: '0',
        amount: centsText(kind === 'fee' ? -cents : cents),
        externalId,
      };
      continue;
    }
    const s = Math.floor(rand() * opts.symbols);
    const symbol = names[s] as string;
    const elapsed = day - (priceDay[s] as number);
    if (elapsed > 0) {
      price[s] =
        (price[s] as number) * Math.exp(DRIFT * elapsed + VOLATILITY * Math.sqrt(elapsed) * normal());
      priceDay[s] = day;
    }
    const p = Math.max(100, Math.round((price[s] as number) * 100));
    const px = centsText(p);
    const h = held[s] as number;
    const base = { symbol, tradeDate, externalId };
    if (r < 0.0005 && h > 0) {
      held[s] = h * 2;
      price[s] = (price[s] as number) / 2;
      rows[i] = { ...base, ...none, type: 'split', fees: '0', amount: null, splitTo: '2', splitFrom: '1' };
    } else if (r < 0.25 && h > 0) {
      // A quarter's dividend at about 2 % a year.
      const amountCents = Math.max(1, Math.round(h * p * 0.005));
      const q = Math.floor((amountCents / p) * 10000) / 10000;
      if (rand() < 0.4 && q > 0) {
        held[s] = h + q;
        rows[i] = {
          ...base,
          ...none,
          type: 'dividend',
          reinvested: true,
          quantity: q.toFixed(4),
          price: px,
          fees: '0',
          amount: centsText(Math.round(q * p)),
        };
      } else {
        rows[i] = { ...base, ...none, type: 'dividend', fees: '0', amount: centsText(amountCents) };
      }
    } else if (r < 0.38 && h >= 1) {
      const q = Math.max(1, Math.floor(h * (0.05 + rand() * 0.25)));
      held[s] = h - q;
      rows[i] = {
        ...base,
        ...none,
        type: 'sell',
        quantity: String(q),
        price: px,
        fees: '1.00',
        amount: null,
      };
    } else {
      const q = 1 + Math.floor(rand() * 50);
      held[s] = h + q;
      rows[i] = { ...base, ...none, type: 'buy', quantity: String(q), price: px, fees: '1.00', amount: null };
    }
  }
  return rows;
}
