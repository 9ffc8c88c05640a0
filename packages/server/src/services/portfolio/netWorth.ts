/**
 * Net worth on a day, in the user's base currency, from six queries whatever the number of
 * accounts, holdings and properties: the user, the accounts with their balance on the day, the
 * holdings aggregated per account and currency (valued in SQL), the properties with their value on
 * the day, their mortgages, and the FX rates the amounts need.
 *
 * Classification (each amount is a "component" of an account or property):
 * - a liability account's balance owed → mortgages, loans or credit cards (a credit balance is cash);
 * - any other account's cash → cash (type `other`: other assets); holdings → investments (cash-class
 *   holdings → cash; in `other` accounts → other assets);
 * - a property's equity (value × ownership share − mortgage balances) → real estate equity, or
 *   mortgages when the mortgages exceed the owner's share of the value;
 * - a negative asset amount (an overdraft, a short position) → other liabilities.
 *
 * Positions are today's (holdings have no history here; the analytics value the ledger's history),
 * priced on the day; balances, valuations and mortgage balances are those of the day.
 */
import {
  Decimal,
  isLiabilityType,
  LIABILITY_CATEGORIES,
  NET_WORTH_CATEGORIES,
  type NetWorthCategory,
  type NetWorthView,
} from '@fo/schema';
import type { Knex } from '../../db/knex.js';
import { allQueries, type Db } from '../../db/transaction.js';
import { loadRates } from '../fx/rates.js';
import { holdingAggregates } from '../holdings/valuation.js';
import { baseCurrencyOf } from '../holdings/views.js';
import { balanceAsOf } from '../realEstate/amortization.js';
import {
  loadMortgages,
  loanTerms,
  type PropertyRow,
  propertyRowsQuery,
  recordedBalances,
} from '../realEstate/load.js';

interface Component {
  kind: 'account' | 'property';
  id: string;
  name: string;
  type: string;
  category: NetWorthCategory;
  currency: string;
  /** Signed: positive owned, negative owed. */
  amount: Decimal;
}

interface AccountRow {
  id: string;
  name: string;
  type: string;
  currency: string;
  cash_balance: string;
  balance_as_of: string | null;
  balance_on_day: string | null;
}

const LIABILITY_CATEGORY: Record<string, NetWorthCategory> = {
  mortgage: 'mortgages',
  loan: 'loans',
  credit_card: 'creditCards',
};

async function accountsOnDay(db: Db, userId: string, asOf: string): Promise<AccountRow[]> {
  const { rows } = await db.raw<{ rows: AccountRow[] }>(
    `SELECT a.id, a.name, a.type, a.currency, a.cash_balance, a.balance_as_of, b.balance AS balance_on_day
       FROM accounts a
       LEFT JOIN LATERAL (
         SELECT ab.balance FROM account_balances ab
          WHERE ab.account_id = a.id AND ab.date <= :asOf::date
          ORDER BY ab.date DESC LIMIT 1
       ) b ON a.balance_as_of IS NOT NULL
      WHERE a.user_id = :userId
        AND (a.closed_at IS NULL OR (a.closed_at AT TIME ZONE 'UTC')::date > :asOf::date)
      ORDER BY a.created_at, a.id`,
    { userId, asOf },
  );
  return rows;
}

/** An account's balance on the day: its recorded history when it has one, else its current balance. */
function balanceOf(row: AccountRow): Decimal {
  if (row.balance_as_of === null) return new Decimal(row.cash_balance);
  return new Decimal(row.balance_on_day ?? 0);
}

export async function computeNetWorth(db: Db, userId: string, asOf: string): Promise<NetWorthView> {
  const [base, accounts, aggregates, properties, mortgages] = await allQueries(db, [
    () => baseCurrencyOf(db, userId),
    () => accountsOnDay(db, userId, asOf),
    () => holdingAggregates(db, userId, asOf),
    () =>
      propertyRowsQuery(db, userId, asOf).where((q: Knex.QueryBuilder) =>
        q.whereNull('re.purchase_date').orWhere('re.purchase_date', '<=', asOf),
      ) as Promise<PropertyRow[]>,
    () => loadMortgages(db, userId, null),
  ]);

  const components: Component[] = [];
  const warnings: NetWorthView['warnings'] = [];
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const push = (c: Omit<Component, 'category'>, asset: NetWorthCategory, negative: NetWorthCategory) => {
    if (!c.amount.isZero()) components.push({ ...c, category: c.amount.isNegative() ? negative : asset });
  };

  for (const a of accounts) {
    const balance = balanceOf(a);
    const item = { kind: 'account' as const, id: a.id, name: a.name, type: a.type, currency: a.currency };
    if (isLiabilityType(a.type)) {
      // Owed amounts are positive; a credit balance (negative owed) is cash.
      push({ ...item, amount: balance.neg() }, 'cash', LIABILITY_CATEGORY[a.type]!);
    } else {
      push({ ...item, amount: balance }, a.type === 'other' ? 'otherAssets' : 'cash', 'otherLiabilities');
    }
  }

  const unpriced = new Set<string>();
  const stale = new Set<string>();
  for (const g of aggregates) {
    const a = accountById.get(g.account_id);
    if (!a) continue;
    for (const s of g.unpriced) unpriced.add(s);
    for (const s of g.stale) stale.add(s);
    const asset: NetWorthCategory = g.is_cash ? 'cash' : a.type === 'other' ? 'otherAssets' : 'investments';
    push(
      {
        kind: 'account',
        id: a.id,
        name: a.name,
        type: a.type,
        currency: g.currency,
        amount: new Decimal(g.value),
      },
      asset,
      'otherLiabilities',
    );
  }

  const mortgagesByProperty = new Map<string, typeof mortgages>();
  for (const m of mortgages) {
    const list = mortgagesByProperty.get(m.property_id);
    if (list) list.push(m);
    else mortgagesByProperty.set(m.property_id, [m]);
  }
  const unvalued: string[] = [];
  for (const p of properties) {
    if (p.value_on_day === null) unvalued.push(p.id);
    const value = new Decimal(p.value_on_day ?? 0);
    const owned = value.mul(p.ownership_share).toDecimalPlaces(8);
    let owed = new Decimal(0);
    for (const m of mortgagesByProperty.get(p.id) ?? []) {
      owed = owed.plus(balanceAsOf(loanTerms(m, p.currency), asOf, recordedBalances(m)).balance);
    }
    push(
      {
        kind: 'property',
        id: p.id,
        name: p.name,
        type: p.property_type,
        currency: p.currency,
        amount: owned.minus(owed),
      },
      'realEstateEquity',
      'mortgages',
    );
  }

  const rates = await loadRates(
    db,
    components.map((c) => [c.currency, base] as [string, string]),
    asOf,
  );

  const categories = Object.fromEntries(NET_WORTH_CATEGORIES.map((c) => [c, new Decimal(0)])) as Record<
    NetWorthCategory,
    Decimal
  >;
  const items = new Map<string, NetWorthView['items'][number]>();
  const currencies = new Map<string, { assets: Decimal; liabilities: Decimal }>();
  const missingPairs = new Map<string, Set<string>>();

  for (const c of components) {
    const key = `${c.kind}:${c.id}`;
    let item = items.get(key);
    if (!item) {
      item = {
        kind: c.kind,
        id: c.id,
        name: c.name,
        type: c.type,
        amounts: [],
        value: new Decimal(0),
        missingRates: [],
      };
      items.set(key, item);
    }
    const native = item.amounts.find((x) => x.currency === c.currency);
    if (native) native.amount = native.amount.plus(c.amount);
    else item.amounts.push({ currency: c.currency, amount: c.amount });

    const cur = currencies.get(c.currency) ?? { assets: new Decimal(0), liabilities: new Decimal(0) };
    if (c.amount.isNegative()) cur.liabilities = cur.liabilities.minus(c.amount);
    else cur.assets = cur.assets.plus(c.amount);
    currencies.set(c.currency, cur);

    const conv = rates.convert(c.amount, c.currency, base);
    if (!conv.ok) {
      if (!item.missingRates.includes(conv.pair)) item.missingRates.push(conv.pair);
      item.value = null;
      const ids = missingPairs.get(conv.pair) ?? new Set<string>();
      ids.add(c.id);
      missingPairs.set(conv.pair, ids);
      continue;
    }
    if (item.value) item.value = item.value.plus(conv.value);
    const isLiability = (LIABILITY_CATEGORIES as readonly string[]).includes(c.category);
    categories[c.category] = categories[c.category].plus(isLiability ? conv.value.neg() : conv.value);
  }

  for (const [pair, ids] of missingPairs) {
    warnings.push({
      code: 'MISSING_FX_RATE',
      message: `No ${pair} rate (or its inverse) on or before ${asOf}; amounts in ${pair.slice(0, 3)} are left out of the totals`,
      pair,
      symbols: [],
      ids: [...ids],
    });
  }
  if (unpriced.size) {
    warnings.push({
      code: 'UNPRICED_HOLDINGS',
      message: `No price on or before ${asOf} for ${[...unpriced].sort().join(', ')}; valued at cost basis`,
      pair: null,
      symbols: [...unpriced].sort(),
      ids: [],
    });
  }
  if (stale.size) {
    warnings.push({
      code: 'STALE_PRICES',
      message: `The latest price of ${[...stale].sort().join(', ')} is older than the configured maximum age`,
      pair: null,
      symbols: [...stale].sort(),
      ids: [],
    });
  }
  if (unvalued.length) {
    warnings.push({
      code: 'NO_VALUATION',
      message: `${unvalued.length} propert${unvalued.length === 1 ? 'y has' : 'ies have'} no valuation on or before ${asOf}; counted at zero value`,
      pair: null,
      symbols: [],
      ids: unvalued,
    });
  }

  const totalAssets = categories.investments
    .plus(categories.cash)
    .plus(categories.realEstateEquity)
    .plus(categories.otherAssets);
  const totalLiabilities = categories.mortgages
    .plus(categories.loans)
    .plus(categories.creditCards)
    .plus(categories.otherLiabilities);

  return {
    asOf,
    baseCurrency: base,
    totalAssets,
    totalLiabilities,
    netWorth: totalAssets.minus(totalLiabilities),
    complete: missingPairs.size === 0,
    categories,
    items: [...items.values()],
    byCurrency: [...currencies.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, v]) => {
        const net = v.assets.minus(v.liabilities);
        const rate = currency === base ? null : rates.rate(currency, base);
        const conv = rates.convert(net, currency, base);
        return {
          currency,
          assets: v.assets,
          liabilities: v.liabilities,
          net,
          rate: rate?.rate.toDecimalPlaces(12) ?? null,
          rateDate: rate?.date ?? null,
          value: conv.ok ? conv.value : null,
        };
      }),
    warnings,
  };
}
