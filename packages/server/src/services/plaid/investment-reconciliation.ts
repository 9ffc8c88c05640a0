/**
 * Plaid's holdings against the ledger's positions, per account and symbol. Cash equivalents are
 * cash, not positions; quantities closer than 1e-6 shares are equal (Plaid sends doubles).
 */
import type { PlaidHoldingDifference } from '@fo/schema';
import { Decimal } from '@fo/schema';
import type { Holding, Security } from 'plaid';
import type { Knex } from '../../db/knex.js';
import { decimalOf, isCashEquivalent, symbolOf } from './investment-mapping.js';

const QUANTITY_TOLERANCE = new Decimal('0.000001');

export async function reconcileHoldings(
  trx: Knex.Transaction,
  input: {
    userId: string;
    /** Plaid account_id → our account id. */
    accounts: ReadonlyMap<string, string>;
    /** Our accounts to compare (the open ones). */
    compare: ReadonlySet<string>;
    holdings: readonly Holding[];
    securities: ReadonlyMap<string, Security>;
  },
): Promise<PlaidHoldingDifference[]> {
  const { accounts, compare: openAccounts } = input;
  const key = (accountId: string, symbol: string) => `${accountId}\u0000${symbol}`;
  const plaid = new Map<string, Decimal>();
  for (const h of input.holdings) {
    const accountId = accounts.get(h.account_id);
    if (!accountId || !openAccounts.has(accountId)) continue;
    const security = input.securities.get(h.security_id);
    if (security && isCashEquivalent(security)) continue;
    const symbol = symbolOf(
      security ?? { security_id: h.security_id, ticker_symbol: null, cusip: null, isin: null, sedol: null },
    );
    const k = key(accountId, symbol);
    plaid.set(k, (plaid.get(k) ?? new Decimal(0)).add(decimalOf(h.quantity)));
  }
  const positions = (await trx('assets')
    .select('account_id', 'symbol', 'quantity')
    .where('user_id', input.userId)
    .whereIn('account_id', [...openAccounts])) as { account_id: string; symbol: string; quantity: string }[];
  const ledger = new Map(positions.map((p) => [key(p.account_id, p.symbol), new Decimal(p.quantity)]));
  const differences: PlaidHoldingDifference[] = [];
  for (const k of new Set([...plaid.keys(), ...ledger.keys()])) {
    const theirs = plaid.get(k) ?? new Decimal(0);
    const ours = ledger.get(k) ?? new Decimal(0);
    if (theirs.sub(ours).abs().lte(QUANTITY_TOLERANCE)) continue;
    const [accountId, symbol] = k.split('\u0000') as [string, string];
    differences.push({
      accountId,
      symbol,
      plaidQuantity: theirs.toFixed(),
      ledgerQuantity: ours.toFixed(),
    });
  }
  return differences.sort((a, b) =>
    a.accountId === b.accountId ? a.symbol.localeCompare(b.symbol) : a.accountId.localeCompare(b.accountId),
  );
}
