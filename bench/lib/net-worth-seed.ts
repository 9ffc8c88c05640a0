/**
 * Seeds the net-worth bench's user: 200 accounts in three currencies (150 brokerage accounts in
 * holdings mode holding 5,000 positions over 1,000 symbols, 30 cash accounts with balance history,
 * 20 liabilities), 50 properties with 70 mortgages, a year of daily prices and FX rates. Set-based
 * SQL, so seeding takes seconds.
 */
import type { Knex } from 'knex';
import { createSession } from '../../packages/server/src/auth/sessions.js';

export const SEED = { accounts: 200, holdings: 5000, symbols: 1000, properties: 50, currencies: 3 };

export async function seedNetWorthUser(db: Knex): Promise<{ userId: string; token: string }> {
  const [user] = await db('users')
    .insert({ email: `bench-${process.pid}@example.com`, password_hash: '$unusable$', base_currency: 'USD' })
    .returning('id');
  const userId = user.id as string;

  await db.raw(
    `INSERT INTO prices (symbol, date, close, currency)
     SELECT 'SYM' || s, d::date, round((20 + (s % 300) + 10 * sin(s + extract(doy FROM d)))::numeric, 2),
            (ARRAY['USD', 'EUR', 'GBP'])[1 + s % 3]
       FROM generate_series(1, ?) s, generate_series(current_date - 364, current_date, interval '1 day') d`,
    [SEED.symbols],
  );
  await db.raw(
    `INSERT INTO fx (base, quote, date, rate)
     SELECT p.base, 'USD', d::date, p.rate + 0.01 * sin(extract(doy FROM d))
       FROM (VALUES ('EUR', 1.08), ('GBP', 1.27)) p(base, rate),
            generate_series(current_date - 364, current_date, interval '1 day') d`,
  );

  // 150 brokerage accounts (50 per currency), 30 cash accounts, 20 liabilities.
  await db.raw(
    `INSERT INTO accounts (user_id, name, type, currency, tracking_mode, created_at)
     SELECT ?, 'Account ' || i,
            CASE WHEN i <= 150 THEN 'brokerage' WHEN i <= 165 THEN 'checking' WHEN i <= 180 THEN 'savings'
                 WHEN i <= 190 THEN 'credit_card' ELSE 'loan' END,
            (ARRAY['USD', 'EUR', 'GBP'])[1 + i % 3], 'holdings', now() - (200 - i) * interval '1 minute'
       FROM generate_series(1, 200) i`,
    [userId],
  );
  await db.raw(
    `INSERT INTO assets (account_id, user_id, symbol, asset_class, quantity, cost_basis, currency)
     SELECT a.id, a.user_id, 'SYM' || (1 + (a.n * 37 + k * 101) % ?), 'stock', 10 + k, 1000 + k * 10, a.currency
       FROM (SELECT id, user_id, currency, row_number() OVER (ORDER BY created_at) AS n
               FROM accounts WHERE user_id = ? AND type = 'brokerage') a,
            generate_series(0, ?) k
      WHERE (a.n - 1) * ? + k < ?
     ON CONFLICT DO NOTHING`,
    [SEED.symbols, userId, Math.ceil(SEED.holdings / 150) - 1, Math.ceil(SEED.holdings / 150), SEED.holdings],
  );
  await db.raw(
    `INSERT INTO account_balances (account_id, user_id, date, balance, source)
     SELECT a.id, a.user_id, current_date - m * 30, 1000 + m * 100, 'statement'
       FROM accounts a, generate_series(0, 9) m
      WHERE a.user_id = ? AND a.type <> 'brokerage'`,
    [userId],
  );
  await db.raw(
    `UPDATE accounts SET cash_balance = 1000, balance_as_of = current_date WHERE user_id = ? AND type <> 'brokerage'`,
    [userId],
  );

  await db.raw(
    `INSERT INTO real_estate (user_id, name, property_type, currency, purchase_price, purchase_date, current_value, valuation_date)
     SELECT ?, 'Property ' || i, CASE WHEN i % 2 = 0 THEN 'rental' ELSE 'vacation' END,
            (ARRAY['USD', 'EUR', 'GBP'])[1 + i % 3], 300000 + i * 1000, DATE '2015-01-01' + i * 30,
            400000 + i * 1000, current_date - 10
       FROM generate_series(1, ?) i`,
    [userId, SEED.properties],
  );
  await db.raw(
    `INSERT INTO real_estate_valuations (property_id, user_id, date, value, source)
     SELECT id, user_id, purchase_date, purchase_price, 'purchase' FROM real_estate WHERE user_id = ?
     UNION ALL
     SELECT id, user_id, current_date - 10, current_value, 'estimate' FROM real_estate WHERE user_id = ?`,
    [userId, userId],
  );
  await db.raw(
    `INSERT INTO mortgages (property_id, user_id, lender, original_principal, annual_rate, term_months, start_date)
     SELECT id, user_id, 'Bank', purchase_price * 0.8, 0.035 + (row_number() OVER ()) % 5 * 0.005, 360, purchase_date
       FROM real_estate WHERE user_id = ?
     UNION ALL
     SELECT id, user_id, 'HELOC', 50000, 0.07, 120, purchase_date + 365
       FROM real_estate WHERE user_id = ? AND property_type = 'rental' AND name NOT LIKE '%0'`,
    [userId, userId],
  );
  await db.raw(
    `INSERT INTO real_estate_rents (property_id, user_id, unit, monthly_rent)
     SELECT id, user_id, 'Unit ' || u, 1500 FROM real_estate, generate_series(1, 2) u
      WHERE user_id = ? AND property_type = 'rental'`,
    [userId],
  );
  // As autovacuum would have by now: statistics, and visibility maps for index-only scans.
  await db.raw('VACUUM ANALYZE');
  const { token } = await createSession(db, userId, { ip: '127.0.0.1', userAgent: 'bench' });
  return { userId, token };
}
