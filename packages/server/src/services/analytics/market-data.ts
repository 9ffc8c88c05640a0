/**
 * Price and FX series for the analytics, cached per market version: market data is shared by every
 * user and changes far less often than ledgers, so a user's write reloads that user's ledger, not
 * ten years of closes for a hundred symbols. Only symbols and currencies not cached yet are
 * queried (one statement each); a new market version (any price or FX write) starts afresh.
 */
import type { Db } from '../../db/transaction.js';
import type { RawBook } from './engine/raw.js';

type PriceSeries = RawBook['prices'][number];
type FxSeries = RawBook['fx'][number];

interface MarketCache {
  key: string;
  /** null: no price row for the symbol. */
  prices: Map<string, PriceSeries | null>;
  /** By `${base}>${quote}`; null: no rows for the pair. */
  fx: Map<string, FxSeries | null>;
}

/** Bound on cached series; past it the cache starts afresh. */
const MAX_SERIES = 20_000;
let cache: MarketCache = { key: '', prices: new Map(), fx: new Map() };

const PRICES_SQL = `
  SELECT g.symbol, cur.currency, g.points
    FROM (SELECT p.symbol,
                 string_agg((p.date - DATE '1970-01-01')::text || ':' || trim_scale(p.close)::text, ','
                            ORDER BY p.date) AS points
            FROM prices p
           WHERE p.symbol = ANY(?::text[]) AND p.date <= ?
           GROUP BY p.symbol) g
    CROSS JOIN LATERAL (
      SELECT p.currency FROM prices p WHERE p.symbol = g.symbol AND p.date <= ? ORDER BY p.date DESC LIMIT 1
    ) cur`;

const FX_SQL = `
  SELECT f.base, f.quote,
         string_agg((f.date - DATE '1970-01-01')::text || ':' || trim_scale(f.rate)::text, ',' ORDER BY f.date) AS points
    FROM fx f
   WHERE ((f.base = ANY(?::text[]) AND f.quote = ?) OR (f.base = ? AND f.quote = ANY(?::text[])))
     AND f.date <= ?
   GROUP BY f.base, f.quote`;

function current(marketVersion: string, endIso: string): MarketCache {
  const key = `${marketVersion}|${endIso}`;
  if (cache.key !== key || cache.prices.size + cache.fx.size > MAX_SERIES) {
    cache = { key, prices: new Map(), fx: new Map() };
  }
  return cache;
}

export async function loadPrices(
  db: Db,
  marketVersion: string,
  endIso: string,
  symbols: Iterable<string>,
): Promise<PriceSeries[]> {
  const c = current(marketVersion, endIso);
  const wanted = [...new Set(symbols)];
  const missing = wanted.filter((s) => !c.prices.has(s));
  if (missing.length) {
    const { rows } = await db.raw<{ rows: PriceSeries[] }>(PRICES_SQL, [missing, endIso, endIso]);
    for (const s of missing) c.prices.set(s, null);
    for (const row of rows) c.prices.set(row.symbol, row);
  }
  return wanted.map((s) => c.prices.get(s)).filter((p): p is PriceSeries => !!p);
}

/** Rates between each currency and the base, both directions as stored. */
export async function loadFx(
  db: Db,
  marketVersion: string,
  endIso: string,
  base: string,
  currencies: Iterable<string>,
): Promise<FxSeries[]> {
  const c = current(marketVersion, endIso);
  const wanted = [...new Set(currencies)].filter((x) => x !== base);
  const missing = wanted.filter((x) => !c.fx.has(`${x}>${base}`));
  if (missing.length) {
    const { rows } = await db.raw<{ rows: FxSeries[] }>(FX_SQL, [missing, base, base, missing, endIso]);
    for (const x of missing) {
      c.fx.set(`${x}>${base}`, null);
      c.fx.set(`${base}>${x}`, null);
    }
    for (const row of rows) c.fx.set(`${row.base}>${row.quote}`, row);
  }
  return wanted
    .flatMap((x) => [c.fx.get(`${x}>${base}`), c.fx.get(`${base}>${x}`)])
    .filter((r): r is FxSeries => !!r);
}
