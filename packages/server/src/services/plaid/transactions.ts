/**
 * Plaid's cash transactions (/transactions/sync) as ledger rows.
 *
 * Plaid's `amount` is positive when money leaves the account (a purchase, a payment) and negative
 * when it arrives (https://plaid.com/docs/api/products/transactions/#transactions-sync-response-added-amount);
 * the ledger's amount is the signed cash effect, so it is negated. The type follows the sign and
 * Plaid's personal finance category: interest earned or charged is `interest`, bank fees are
 * `fee`, tax payments and refunds are `tax`/`deposit`, the rest `deposit` or `withdrawal`.
 */
import { Decimal } from '@fo/schema';
import type { RemovedTransaction, Transaction } from 'plaid';
import type { ProviderCashRow, ProviderCashType, ProviderRemoval } from '../ledger/provider.js';

const INTEREST = new Set(['INCOME_INTEREST_EARNED', 'BANK_FEES_INTEREST_CHARGE']);
const TAX_PAYMENT = 'GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT';

export function ledgerTypeOf(txn: Transaction, amount: Decimal): ProviderCashType {
  const category = txn.personal_finance_category;
  const detailed = category?.detailed ?? '';
  if (INTEREST.has(detailed)) return 'interest';
  if (amount.isNegative()) {
    if (category?.primary === 'BANK_FEES') return 'fee';
    if (detailed === TAX_PAYMENT) return 'tax';
    return 'withdrawal';
  }
  return 'deposit';
}

function currencyOf(txn: Transaction): string | null {
  const code = txn.iso_currency_code;
  return code && /^[A-Z]{3}$/.test(code) ? code : null;
}

export type MappedTransaction =
  | { ok: true; row: ProviderCashRow }
  | { ok: false; plaidAccountId: string; transactionId: string; reason: string };

/** One Plaid transaction as a ledger row of our account `accountId`. */
export function toProviderRow(txn: Transaction, accountId: string): MappedTransaction {
  const plaidAmount = new Decimal(String(txn.amount));
  if (plaidAmount.isZero() || !plaidAmount.isFinite()) {
    return {
      ok: false,
      plaidAccountId: txn.account_id,
      transactionId: txn.transaction_id,
      reason: 'amount of zero (no cash moved)',
    };
  }
  const amount = plaidAmount.negated();
  const description = (txn.merchant_name?.trim() || txn.name?.trim() || '').slice(0, 1000);
  return {
    ok: true,
    row: {
      accountId,
      providerTransactionId: txn.transaction_id,
      postsProviderTransactionId: txn.pending ? null : (txn.pending_transaction_id ?? null),
      type: ledgerTypeOf(txn, amount),
      tradeDate: txn.date,
      amount,
      currency: currencyOf(txn),
      description: description || null,
      pending: txn.pending,
    },
  };
}

export function toProviderRemoval(removed: RemovedTransaction, accountId: string): ProviderRemoval {
  return { accountId, providerTransactionId: removed.transaction_id };
}
