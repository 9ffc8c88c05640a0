/**
 * Seeds the analytics bench: 10 years of weekday closes for 100 symbols and the benchmark (SPY),
 * and users whose ledgers hold N transactions over those symbols in 5 brokerage accounts:
 * deposits, buys, sells, dividends and withdrawals spread over the ten years. Set-based SQL with a
 * deterministic pseudo-random stream, so seeding 100,000 transactions takes seconds.
 */
import type { Knex } from 'knex';
import { createSession } from '../../packages/server/src/auth/sessions.js';

export const ANALYTICS_SEED = { symbols: 100, years: 10, accounts: 5 };

/** Prices shared by every bench user: a random walk per symbol (deterministic), weekdays only. */
export async function seedAnalyticsPrices(db: Knex): Promise<number> {
  await db.raw(
    `INSERT INTO prices (symbol, date, close, currency)
     SELECT s.symbol, d.day::date,
            round((50 + (s.n % 50) * 3) * exp(sum(ln(1 + ((hashint4((s.n * 100003 + d.k)::int) % 2001) / 100000.0)))
                                              OVER (PARTITION BY s.n ORDER BY d.k))::numeric, 4),
            'USD'
       FROM (SELECT n, CASE WHEN n = 0 THEN 'SPY' ELSE 'SYM' || n END AS symbol
               FROM generate_series(0, ?) n) s,
            (SELECT day, row_number() OVER (ORDER BY day) AS k
               FROM generate_series(current_date - make_interval(years => ?::int), current_date, interval '1 day') day
              WHERE extract(isodow FROM day) < 6) d`,
    [ANALYTICS_SEED.symbols, ANALYTICS_SEED.years],
  );
  const { rows } = await db.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM prices');
  return rows[0]?.n ?? 0;
}

/** A user with `transactions` ledger rows, and a session token. */
export async function seedAnalyticsUser(
  db: Knex,
  label: string,
  transactions: number,
): Promise<{ userId: string; token: string }> {
  const [user] = await db('users')
    .insert({ email: `bench-analytics-${label}-${process.pid}@example.com`, password_hash: '$unusable$' })
    .returning('id');
  const userId = user.id as string;
  await db.raw(
    `INSERT INTO accounts (user_id, name, type, currency, created_at)
     SELECT ?, 'Brokerage ' || i, 'brokerage', 'USD', now() - (10 - i) * interval '1 minute'
       FROM generate_series(1, ?) i`,
    [userId, ANALYTICS_SEED.accounts],
  );
  // One row in ten a deposit (or, rarely, a withdrawal), then buys, sells (half a buy's size) and
  // dividends of random symbols on random days, at that day's close. Cash effects as the ledger
  // stores them.
  const cashEffect = (await db.schema.hasColumn('transactions', 'cash_effect')) ? ', cash_effect' : '';
  await db.raw(
    `WITH acct AS (
       SELECT id, row_number() OVER (ORDER BY created_at) - 1 AS k FROM accounts WHERE user_id = ?
     ), days AS (
       SELECT array_agg(date ORDER BY date) AS d FROM prices WHERE symbol = 'SPY'
     ), raw AS (
       SELECT i, hashint4(i) AS h1, hashint4(i + 7919) AS h2, hashint4(i + 104729) AS h3 FROM generate_series(1, ?) i
     ), tx AS (
       SELECT r.i,
              (SELECT id FROM acct WHERE acct.k = abs(r.h1) % ?) AS account_id,
              days.d[1 + abs(r.h2) % array_length(days.d, 1)] AS trade_date,
              CASE WHEN abs(r.h3) % 100 < 9 THEN 'deposit'
                   WHEN abs(r.h3) % 100 < 10 THEN 'withdrawal'
                   WHEN abs(r.h3) % 100 < 75 THEN 'buy'
                   WHEN abs(r.h3) % 100 < 92 THEN 'sell'
                   ELSE 'dividend' END AS type,
              'SYM' || (1 + abs(r.h1 / 7) % ?) AS symbol,
              1 + abs(r.h2 / 13) % 20 AS qty
         FROM raw r, days
     )
     INSERT INTO transactions (account_id, user_id, type, symbol, trade_date, quantity, price, amount, fees, currency${cashEffect})
     SELECT tx.account_id, ?, tx.type,
            CASE WHEN tx.type IN ('deposit', 'withdrawal') THEN NULL ELSE tx.symbol END,
            tx.trade_date,
            CASE tx.type WHEN 'buy' THEN tx.qty WHEN 'sell' THEN tx.qty / 2.0 END,
            CASE WHEN tx.type IN ('buy', 'sell') THEN p.close END,
            v.amount, 0, 'USD'${cashEffect ? ', v.amount' : ''}
       FROM tx
       JOIN prices p ON p.symbol = tx.symbol AND p.date = tx.trade_date
       CROSS JOIN LATERAL (SELECT CASE tx.type
                                    WHEN 'deposit' THEN 20000::numeric
                                    WHEN 'withdrawal' THEN -5000::numeric
                                    WHEN 'buy' THEN -(tx.qty * p.close)
                                    WHEN 'sell' THEN tx.qty / 2.0 * p.close
                                    ELSE round(p.close * 0.01, 2) END AS amount) v`,
    [userId, transactions, ANALYTICS_SEED.accounts, ANALYTICS_SEED.symbols, userId],
  );
  await db.raw(
    `INSERT INTO assets (account_id, user_id, symbol, quantity, currency)
     SELECT account_id, user_id, symbol, 0, 'USD' FROM transactions
      WHERE user_id = ? AND symbol IS NOT NULL
      GROUP BY account_id, user_id, symbol`,
    [userId],
  );
  const { token } = await createSession(db, userId, { ip: '127.0.0.1', userAgent: 'bench' });
  return { userId, token };
}
