/**
 * Synthetic brokerage history for the ledger benches: `symbols` symbols over `years` years; buys,
 * sells (never more than held), cash and reinvested dividends, and an occasional 2:1 split.
 * Prices drift upward with noise, so most sales are gains and some are losses (and wash sales).
 * Deterministic (a seeded generator), so runs compare.
 */

export interface SyntheticRow {
  type: 'buy' | 'sell' | 'dividend' | 'split';
  symbol: string;
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
  return `SYM${String(i).padStart(3, '0')}`;
}

/** Integer cents as a decimal string. */
function centsText(c: number): string {
  const s = String(c).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** Rows in trade-date order. */
export function syntheticHistory(opts: {
  rows: number;
  symbols: number;
  years: number;
  seed?: number;
}): SyntheticRow[] {
  const rand = mulberry32(opts.seed ?? 42);
  const start = Date.UTC(2015, 0, 2);
  const span = opts.years * 365;
  const dates = Array.from({ length: span }, (_, d) =>
    new Date(start + d * 86_400_000).toISOString().slice(0, 10),
  );
  const names = Array.from({ length: opts.symbols }, (_, i) => symbolName(i));
  const held = new Array<number>(opts.symbols).fill(0);
  const priceCents = Array.from({ length: opts.symbols }, () => 2000 + Math.floor(rand() * 18000));
  const rows: SyntheticRow[] = new Array(opts.rows);
  for (let i = 0; i < opts.rows; i++) {
    const tradeDate = dates[Math.floor((i / opts.rows) * span)] as string;
    const s = Math.floor(rand() * opts.symbols);
    const symbol = names[s] as string;
    // ~10 %/year upward drift over ~1,000 events per symbol per year, with ±1 % noise.
    const p = Math.max(100, Math.round((priceCents[s] as number) * (1.0001 + (rand() - 0.5) * 0.02)));
    priceCents[s] = p;
    const px = centsText(p);
    const h = held[s] as number;
    const r = rand();
    const base = {
      symbol,
      tradeDate,
      reinvested: false,
      splitTo: null,
      splitFrom: null,
      externalId: `bench-${i}`,
    };
    if (r < 0.0005 && h > 0) {
      held[s] = h * 2;
      priceCents[s] = Math.max(100, Math.round(p / 2));
      rows[i] = {
        ...base,
        type: 'split',
        quantity: null,
        price: null,
        fees: '0',
        amount: null,
        splitTo: '2',
        splitFrom: '1',
      };
    } else if (r < 0.08 && h > 0) {
      const amountCents = Math.max(1, Math.round(h * p * 0.005));
      if (rand() < 0.5) {
        rows[i] = {
          ...base,
          type: 'dividend',
          quantity: null,
          price: null,
          fees: '0',
          amount: centsText(amountCents),
        };
      } else {
        const q = Math.floor((amountCents / p) * 10000) / 10000;
        if (q <= 0) {
          rows[i] = {
            ...base,
            type: 'dividend',
            quantity: null,
            price: null,
            fees: '0',
            amount: centsText(amountCents),
          };
        } else {
          held[s] = h + q;
          rows[i] = {
            ...base,
            type: 'dividend',
            reinvested: true,
            quantity: q.toFixed(4),
            price: px,
            fees: '0',
            amount: centsText(Math.round(q * p)),
          };
        }
      }
    } else if (r < 0.5 && h >= 1) {
      // Sales about the size of purchases: most consume one or two lots.
      const q = Math.min(Math.floor(h), 1 + Math.floor(rand() * 60));
      held[s] = h - q;
      rows[i] = { ...base, type: 'sell', quantity: String(q), price: px, fees: '1.00', amount: null };
    } else {
      const q = 1 + Math.floor(rand() * 50);
      held[s] = h + q;
      rows[i] = { ...base, type: 'buy', quantity: String(q), price: px, fees: '1.00', amount: null };
    }
  }
  return rows;
}
