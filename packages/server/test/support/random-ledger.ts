/**
 * Random books for property tests: three accounts with opening positions, then a sequence of
 * operations (creates in any order, so many back-dated, edits and deletes) sent through the
 * procedures as a user would. Each test draws operations with its own arbitrary (its own mix and
 * ranges) and checks its own property after them.
 */
import type { AccountCreateInput } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import { outcomeOf } from '../harness/router-walk.js';
import type { Caller } from '../harness/types.js';
import { brokerage } from './ledger-factories.js';

export type RandomLedgerOp =
  | { kind: 'buy' | 'sell'; acct: number; sym: number; day: number; qty: number; price: number }
  | { kind: 'split'; acct: number; sym: number; day: number; to: number; from: number }
  | { kind: 'roc'; acct: number; sym: number; day: number; amount: number }
  /** A reinvested dividend of qty/10 shares; `cashLeft` of the dividend stays cash, `fees` are paid. */
  | {
      kind: 'reinvest';
      acct: number;
      sym: number;
      day: number;
      qty: number;
      price: number;
      cashLeft: number;
      fees: number;
    }
  | { kind: 'dividend'; acct: number; sym: number; day: number; qty: number }
  | { kind: 'transfer'; acct: number; sym: number; day: number; qty: number }
  | { kind: 'edit'; pick: number; day: number; qty: number; price: number }
  | { kind: 'delete'; pick: number };

/** Day `d` of the books: 2024-01-01 plus d days. */
export const bookDate = (d: number): string => addDays('2024-01-01', d);

export interface RandomBook {
  accounts: { id: string }[];
  symbols: readonly string[];
  /** Ids of the transactions created so far (operations pick from these). */
  created: string[];
}

/**
 * One account per entry of `accounts` (brokerage defaults), each opening with 20 shares of every
 * symbol at 100 on day 3 × its index, so sells, transfers and wash sales have something to work on.
 */
export async function openRandomBook(
  caller: Caller,
  accounts: Partial<AccountCreateInput>[],
  symbols: readonly string[],
): Promise<RandomBook> {
  const book: RandomBook = { accounts: [], symbols, created: [] };
  for (const overrides of accounts) book.accounts.push(await brokerage(caller, overrides));
  for (const [i, a] of book.accounts.entries()) {
    for (const symbol of symbols) {
      const t = await caller.transactions.create({
        accountId: a.id,
        type: 'buy',
        symbol,
        tradeDate: bookDate(i * 3),
        quantity: '20',
        price: '100',
      });
      book.created.push(t.id);
    }
  }
  return book;
}

/**
 * Sends one operation and returns how it ended (refusals such as oversells are outcomes, not
 * failures); null when an edit or delete found nothing to act on. Created ids join `book.created`.
 */
export async function applyRandomOp(
  caller: Caller,
  book: RandomBook,
  op: RandomLedgerOp,
): Promise<{ code: string; error?: unknown; value?: unknown } | null> {
  let call: Promise<unknown>;
  if (op.kind === 'edit' || op.kind === 'delete') {
    if (book.created.length === 0) return null;
    const id = book.created[op.pick % book.created.length] as string;
    const tx = await caller.transactions.byId({ id }).catch(() => null);
    if (!tx) return null;
    if (op.kind === 'delete') {
      call = caller.transactions.delete({ id });
    } else {
      const patch: Parameters<typeof caller.transactions.update>[0] = { id, tradeDate: bookDate(op.day) };
      if (tx.type === 'buy' || tx.type === 'sell') {
        patch.quantity = String(op.qty);
        patch.price = String(op.price);
      }
      call = caller.transactions.update(patch);
    }
    return outcomeOf(call);
  }
  const base = {
    accountId: (book.accounts[op.acct] as { id: string }).id,
    symbol: book.symbols[op.sym] as string,
    tradeDate: bookDate(op.day),
  };
  switch (op.kind) {
    case 'buy':
    case 'sell':
      call = caller.transactions.create({
        ...base,
        type: op.kind,
        quantity: String(op.qty),
        price: String(op.price),
        fees: '0.5',
      });
      break;
    case 'split':
      call = caller.transactions.create({ ...base, type: 'split', splitRatio: `${op.to}:${op.from}` });
      break;
    case 'roc':
      call = caller.transactions.create({ ...base, type: 'return_of_capital', amount: String(op.amount) });
      break;
    case 'reinvest':
      call = caller.transactions.create({
        ...base,
        type: 'dividend',
        reinvested: true,
        quantity: String(op.qty / 10),
        price: String(op.price),
        amount: String((op.qty * op.price) / 10 + op.cashLeft),
        ...(op.fees ? { fees: String(op.fees) } : {}),
      });
      break;
    case 'dividend':
      call = caller.transactions.create({ ...base, type: 'dividend', amount: String(op.qty) });
      break;
    case 'transfer':
      call = caller.transactions.create({
        ...base,
        type: 'transfer_out',
        quantity: String(op.qty),
        counterpartAccountId: (book.accounts[(op.acct + 1) % book.accounts.length] as { id: string }).id,
      });
      break;
  }
  const outcome = await outcomeOf(call);
  const value = outcome.value as { id?: string } | undefined;
  if (outcome.code === 'OK' && value?.id) book.created.push(value.id);
  return outcome;
}
