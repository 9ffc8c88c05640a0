/**
 * A local Plaid-compatible HTTP server for tests. The real `plaid` client is pointed at it (its
 * base path), so requests and responses go through the same code as in production. It implements
 * the endpoints the platform uses, with response shapes typed by the `plaid` package itself:
 *
 *   /link/token/create  /item/public_token/exchange  /sandbox/public_token/create
 *   /accounts/get  /accounts/balance/get  /transactions/sync  /investments/holdings/get
 *   /investments/transactions/get  /item/get  /item/remove  /webhook_verification_key/get
 *
 * Tests shape each item's data (accounts, a log of transaction changes that /transactions/sync
 * pages through, holdings, investment transactions), put items into error states
 * (ITEM_LOGIN_REQUIRED), inject one-off failures per endpoint (rate limits, 500s, dropped
 * connections), and sign webhooks with the key the fake serves.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import {
  type AccountBase,
  type AccountsGetResponse,
  AccountType,
  type Holding,
  type InvestmentAccount,
  type InvestmentsHoldingsGetResponse,
  type InvestmentsTransactionsGetResponse,
  type InvestmentTransaction,
  type Item,
  type ItemGetResponse,
  ItemUpdateTypeEnum,
  ItemWithConsentFieldsUpdateTypeEnum,
  type LinkTokenCreateResponse,
  type PlaidError,
  Products,
  type RemovedTransaction,
  type Security,
  type Transaction,
  type TransactionsSyncResponse,
  TransactionsUpdateStatus,
} from 'plaid';
import { type PlaidErrorCode, PlaidHttpError, plaidError } from './errors.js';
import {
  makeAccount,
  makeTransaction,
  plaidId,
  requestId,
  SANDBOX_ACCOUNTS,
  SANDBOX_INSTITUTION,
  type TransactionSpec,
} from './fixtures.js';
import { generateWebhookKey, type SignOptions, signWebhook, type WebhookSigningKey } from './webhooks.js';

type Change =
  | { kind: 'added'; txn: Transaction }
  | { kind: 'modified'; txn: Transaction }
  | { kind: 'removed'; removed: RemovedTransaction };

export interface FakeItem {
  itemId: string;
  accessToken: string;
  institutionId: string;
  institutionName: string;
  products: Products[];
  webhook: string | null;
  accounts: AccountBase[];
  /** Every change to the item's transactions, in order; /transactions/sync cursors index into it. */
  changes: Change[];
  securities: Map<string, Security>;
  holdings: Holding[];
  investmentTransactions: InvestmentTransaction[];
  error: PlaidError | null;
  removed: boolean;
}

export interface CreateItemOptions {
  products?: Products[];
  institution?: { id: string; name: string };
  /** Which Sandbox accounts the item has, by name (default: all of them). */
  accounts?: string[];
  webhook?: string | null;
}

type Failure = PlaidErrorCode | 'DISCONNECT';

interface PendingFailure {
  path: string;
  failure: Failure;
  /** Calls to let through first. */
  skip: number;
  times: number;
}

export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
  clientId: string | undefined;
  plaidVersion: string | undefined;
}

export interface FakePlaid extends AsyncDisposable {
  url: string;
  clientId: string;
  secret: string;
  items: Map<string, FakeItem>;
  /** Every request received, in order (bodies as sent). */
  requests: RecordedRequest[];
  /** The key webhooks are signed with now. */
  readonly webhookKey: WebhookSigningKey;
  /** Plaid retires the current signing key (marked expired) and signs with a new one. */
  rotateWebhookKey(): Promise<WebhookSigningKey>;

  createItem(options?: CreateItemOptions): FakeItem;
  /** A public token that exchanges to this item (what Link returns, also after update mode). */
  publicTokenFor(itemId: string): string;
  item(itemId: string): FakeItem;
  account(itemId: string, name: string): AccountBase;
  addTransactions(itemId: string, specs: TransactionSpec[]): Transaction[];
  modifyTransaction(itemId: string, transactionId: string, patch: Partial<Transaction>): Transaction;
  removeTransactions(itemId: string, transactionIds: string[]): void;
  /** The institution posts a pending transaction: the pending one is removed, a posted one added. */
  postPending(itemId: string, pendingId: string, patch?: Partial<Transaction>): Transaction;
  setBalance(
    itemId: string,
    accountId: string,
    balances: { available?: number | null; current: number },
  ): void;
  setInvestments(
    itemId: string,
    data: { securities: Security[]; holdings: Holding[]; transactions?: InvestmentTransaction[] },
  ): void;
  addInvestmentTransactions(itemId: string, txns: InvestmentTransaction[]): void;
  /** Puts the item in an error state every data endpoint reports, or clears it (null). */
  setItemError(itemId: string, code: 'ITEM_LOGIN_REQUIRED' | 'INSTITUTION_DOWN' | null): void;
  /** Makes the next call(s) to `path` fail, after letting `skip` calls through. */
  failNext(path: string, failure: Failure, options?: { skip?: number; times?: number }): void;
  /** Calls received by `path`. */
  calls(path: string): RecordedRequest[];
  signWebhook(body: string, options?: SignOptions): Promise<string>;
}

const CLIENT_ID = 'fake-client-id-0123456789';
const SECRET = 'fake-secret-0123456789abcdef';

function encodeCursor(itemId: string, position: number): string {
  return Buffer.from(`${itemId}:${position}`, 'utf8').toString('base64url');
}

function decodeCursor(itemId: string, cursor: string | undefined, path: string): number {
  if (!cursor) return 0;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const [owner, position] = decoded.split(':');
  const n = Number(position);
  if (owner !== itemId || !Number.isInteger(n) || n < 0) {
    throw plaidError('INVALID_FIELD', path, 'cursor is invalid');
  }
  return n;
}

function itemShape(item: FakeItem): Item {
  return {
    item_id: item.itemId,
    institution_id: item.institutionId,
    institution_name: item.institutionName,
    webhook: item.webhook,
    auth_method: null,
    error: item.error,
    available_products: [Products.Balance, Products.Identity],
    billed_products: item.products,
    products: item.products,
    consented_products: item.products,
    consent_expiration_time: null,
    update_type: ItemUpdateTypeEnum.Background,
  };
}

function investmentAccount(a: AccountBase): InvestmentAccount {
  return {
    account_id: a.account_id,
    balances: { ...a.balances, margin_loan_amount: null },
    mask: a.mask,
    name: a.name,
    official_name: a.official_name,
    type: a.type,
    subtype: a.subtype,
  };
}

/** Folds a slice of the change log the way Plaid reports it: one entry per transaction. */
function foldChanges(slice: Change[]) {
  const added = new Map<string, Transaction>();
  const modified = new Map<string, Transaction>();
  const removed = new Map<string, RemovedTransaction>();
  for (const change of slice) {
    if (change.kind === 'added') {
      added.set(change.txn.transaction_id, change.txn);
    } else if (change.kind === 'modified') {
      const id = change.txn.transaction_id;
      if (added.has(id)) added.set(id, change.txn);
      else modified.set(id, change.txn);
    } else {
      const id = change.removed.transaction_id;
      if (added.delete(id)) continue;
      modified.delete(id);
      removed.set(id, change.removed);
    }
  }
  return { added: [...added.values()], modified: [...modified.values()], removed: [...removed.values()] };
}

export async function startFakePlaid(): Promise<FakePlaid> {
  const items = new Map<string, FakeItem>();
  const byAccessToken = new Map<string, FakeItem>();
  const publicTokens = new Map<string, string>();
  const failures: PendingFailure[] = [];
  const requests: RecordedRequest[] = [];
  let webhookKey = await generateWebhookKey();
  const verificationKeys = new Map([[webhookKey.kid, webhookKey]]);

  function createItem(options: CreateItemOptions = {}): FakeItem {
    const names = options.accounts ?? SANDBOX_ACCOUNTS.map((a) => a.name);
    const item: FakeItem = {
      itemId: plaidId(),
      accessToken: `access-sandbox-${randomUUID()}`,
      institutionId: options.institution?.id ?? SANDBOX_INSTITUTION.id,
      institutionName: options.institution?.name ?? SANDBOX_INSTITUTION.name,
      products: options.products ?? [Products.Transactions, Products.Investments],
      webhook: options.webhook ?? null,
      accounts: SANDBOX_ACCOUNTS.filter((a) => names.includes(a.name)).map(makeAccount),
      changes: [],
      securities: new Map(),
      holdings: [],
      investmentTransactions: [],
      error: null,
      removed: false,
    };
    items.set(item.itemId, item);
    byAccessToken.set(item.accessToken, item);
    return item;
  }

  function item(itemId: string): FakeItem {
    const found = items.get(itemId);
    if (!found) throw new Error(`fake Plaid: no item ${itemId}`);
    return found;
  }

  function findTransaction(it: FakeItem, transactionId: string): Transaction {
    for (let i = it.changes.length - 1; i >= 0; i--) {
      const change = it.changes[i]!;
      if (change.kind === 'removed') {
        if (change.removed.transaction_id === transactionId) break;
      } else if (change.txn.transaction_id === transactionId) {
        return change.txn;
      }
    }
    throw new Error(`fake Plaid: no live transaction ${transactionId}`);
  }

  function authenticate(req: FastifyRequest, body: Record<string, unknown>, path: string): void {
    const clientId = (req.headers['plaid-client-id'] as string | undefined) ?? body.client_id;
    const secret = (req.headers['plaid-secret'] as string | undefined) ?? body.secret;
    if (clientId !== CLIENT_ID || secret !== SECRET) throw plaidError('INVALID_API_KEYS', path);
  }

  function itemFor(body: Record<string, unknown>, path: string, options: { allowError?: boolean } = {}) {
    const token = body.access_token;
    if (typeof token !== 'string') throw plaidError('MISSING_FIELDS', path, 'access_token');
    const found = byAccessToken.get(token);
    if (!found || found.removed) throw plaidError('INVALID_ACCESS_TOKEN', path);
    if (found.error && !options.allowError) {
      throw new PlaidHttpError(found.error.status ?? 400, { ...found.error, request_id: requestId() });
    }
    return found;
  }

  function takeFailure(path: string): Failure | null {
    const index = failures.findIndex((f) => f.path === path);
    if (index < 0) return null;
    const pending = failures[index]!;
    if (pending.skip > 0) {
      pending.skip -= 1;
      return null;
    }
    pending.times -= 1;
    if (pending.times <= 0) failures.splice(index, 1);
    return pending.failure;
  }

  const handlers: Record<string, (body: Record<string, unknown>, path: string) => unknown> = {
    '/link/token/create': (body, path) => {
      const user = body.user as { client_user_id?: unknown } | undefined;
      for (const field of ['client_name', 'language', 'country_codes'] as const) {
        if (body[field] === undefined) throw plaidError('MISSING_FIELDS', path, field);
      }
      if (typeof user?.client_user_id !== 'string')
        throw plaidError('MISSING_FIELDS', path, 'user.client_user_id');
      if (typeof body.access_token === 'string') {
        // Update mode: the item must exist; products come from the item.
        itemFor(body, path, { allowError: true });
      } else if (!Array.isArray(body.products) || body.products.length === 0) {
        throw plaidError('MISSING_FIELDS', path, 'products');
      }
      const response: LinkTokenCreateResponse = {
        link_token: `link-sandbox-${randomUUID()}`,
        expiration: new Date(Date.now() + 4 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        request_id: requestId(),
      };
      return response;
    },

    '/sandbox/public_token/create': (body, path) => {
      if (typeof body.institution_id !== 'string') throw plaidError('MISSING_FIELDS', path, 'institution_id');
      if (!Array.isArray(body.initial_products)) throw plaidError('MISSING_FIELDS', path, 'initial_products');
      const options = (body.options ?? {}) as { webhook?: string };
      const created = createItem({
        products: body.initial_products as Products[],
        institution: {
          id: body.institution_id,
          name:
            body.institution_id === SANDBOX_INSTITUTION.id ? SANDBOX_INSTITUTION.name : 'Sandbox Institution',
        },
        webhook: options.webhook ?? null,
      });
      seedSandboxData(created);
      const token = `public-sandbox-${randomUUID()}`;
      publicTokens.set(token, created.itemId);
      return { public_token: token, request_id: requestId() };
    },

    '/item/public_token/exchange': (body, path) => {
      const token = body.public_token;
      const itemId = typeof token === 'string' ? publicTokens.get(token) : undefined;
      if (!itemId) throw plaidError('INVALID_PUBLIC_TOKEN', path);
      publicTokens.delete(token as string);
      const it = item(itemId);
      return { access_token: it.accessToken, item_id: it.itemId, request_id: requestId() };
    },

    '/accounts/get': (body, path) => {
      const it = itemFor(body, path);
      const response: AccountsGetResponse = {
        accounts: it.accounts,
        item: itemShape(it),
        request_id: requestId(),
      };
      return response;
    },

    '/accounts/balance/get': (body, path) => handlers['/accounts/get']!(body, path),

    '/transactions/sync': (body, path) => {
      const it = itemFor(body, path);
      const from = decodeCursor(it.itemId, body.cursor as string | undefined, path);
      const requested = typeof body.count === 'number' ? body.count : 100;
      if (requested < 1 || requested > 500) throw plaidError('INVALID_FIELD', path, 'count must be 1..500');
      const to = Math.min(it.changes.length, from + requested);
      const { added, modified, removed } = foldChanges(it.changes.slice(from, to));
      const response: TransactionsSyncResponse = {
        transactions_update_status: TransactionsUpdateStatus.HistoricalUpdateComplete,
        accounts: it.accounts,
        added,
        modified,
        removed,
        next_cursor: encodeCursor(it.itemId, to),
        has_more: to < it.changes.length,
        request_id: requestId(),
      };
      return response;
    },

    '/investments/holdings/get': (body, path) => {
      const it = itemFor(body, path);
      const accounts = it.accounts.filter((a) => a.type === AccountType.Investment);
      if (!it.products.includes(Products.Investments)) throw plaidError('PRODUCTS_NOT_SUPPORTED', path);
      if (accounts.length === 0) throw plaidError('NO_INVESTMENT_ACCOUNTS', path);
      const response: InvestmentsHoldingsGetResponse = {
        accounts: accounts.map(investmentAccount),
        holdings: it.holdings,
        securities: [...it.securities.values()],
        item: itemShape(it),
        request_id: requestId(),
      };
      return response;
    },

    '/investments/transactions/get': (body, path) => {
      const it = itemFor(body, path);
      const start = body.start_date;
      const end = body.end_date;
      if (typeof start !== 'string' || typeof end !== 'string') {
        throw plaidError('MISSING_FIELDS', path, 'start_date, end_date');
      }
      if (!it.products.includes(Products.Investments)) throw plaidError('PRODUCTS_NOT_SUPPORTED', path);
      const accounts = it.accounts.filter((a) => a.type === AccountType.Investment);
      if (accounts.length === 0) throw plaidError('NO_INVESTMENT_ACCOUNTS', path);
      const options = (body.options ?? {}) as { count?: number; offset?: number };
      const count = options.count ?? 100;
      const offset = options.offset ?? 0;
      if (count < 1 || count > 500) throw plaidError('INVALID_FIELD', path, 'count must be 1..500');
      // Newest first, as Plaid returns them.
      const inRange = it.investmentTransactions
        .filter((t) => t.date >= start && t.date <= end)
        .sort(
          (a, b) =>
            b.date.localeCompare(a.date) ||
            a.investment_transaction_id.localeCompare(b.investment_transaction_id),
        );
      const page = inRange.slice(offset, offset + count);
      const securityIds = new Set(page.map((t) => t.security_id).filter((id): id is string => id !== null));
      const response: InvestmentsTransactionsGetResponse = {
        item: itemShape(it),
        accounts: accounts.map(investmentAccount),
        securities: [...it.securities.values()].filter((s) => securityIds.has(s.security_id)),
        investment_transactions: page,
        total_investment_transactions: inRange.length,
        request_id: requestId(),
      };
      return response;
    },

    '/item/get': (body, path) => {
      const it = itemFor(body, path, { allowError: true });
      const response: ItemGetResponse = {
        item: {
          ...itemShape(it),
          update_type: ItemWithConsentFieldsUpdateTypeEnum.Background,
          created_at: new Date().toISOString(),
        },
        status: { investments: null, transactions: null, last_webhook: null },
        request_id: requestId(),
      };
      return response;
    },

    '/item/remove': (body, path) => {
      const it = itemFor(body, path, { allowError: true });
      it.removed = true;
      return { request_id: requestId() };
    },

    '/webhook_verification_key/get': (body, path) => {
      const key = typeof body.key_id === 'string' ? verificationKeys.get(body.key_id) : undefined;
      if (!key) throw plaidError('INVALID_FIELD', path, 'key_id not found');
      return { key: key.jwk, request_id: requestId() };
    },
  };

  function seedSandboxData(it: FakeItem): void {
    const checking = it.accounts.find((a) => a.name === 'Plaid Checking');
    if (checking) {
      it.changes.push(
        ...[
          { amount: 6.33, date: '2026-11-02', name: 'Uber 072515 SF**POOL**', merchant_name: 'Uber' },
          { amount: 5.4, date: '2026-11-04', name: 'Starbucks', merchant_name: 'Starbucks' },
          { amount: -4.22, date: '2026-11-05', name: 'INTRST PYMNT' },
          { amount: 89.4, date: '2026-11-07', name: 'SparkFun', merchant_name: 'SparkFun' },
        ].map((spec) => ({
          kind: 'added' as const,
          txn: makeTransaction({ account_id: checking.account_id, ...spec }),
        })),
      );
    }
  }

  const app = Fastify({ logger: false });

  app.post('/*', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? req.url;
    const body = (req.body ?? {}) as Record<string, unknown>;
    requests.push({
      path,
      body,
      clientId: req.headers['plaid-client-id'] as string | undefined,
      plaidVersion: req.headers['plaid-version'] as string | undefined,
    });
    try {
      const handler = handlers[path];
      if (!handler) throw plaidError('INVALID_FIELD', path, `unknown endpoint ${path}`);
      authenticate(req, body, path);
      const failure = takeFailure(path);
      if (failure === 'DISCONNECT') {
        req.raw.socket.destroy();
        return reply;
      }
      if (failure) throw plaidError(failure, path);
      return reply.code(200).send(handler(body, path));
    } catch (err) {
      if (err instanceof PlaidHttpError) return reply.code(err.status).send(err.body);
      throw err;
    }
  });

  const url = await app.listen({ host: '127.0.0.1', port: 0 });

  return {
    url,
    clientId: CLIENT_ID,
    secret: SECRET,
    items,
    requests,
    get webhookKey() {
      return webhookKey;
    },
    async rotateWebhookKey() {
      webhookKey.jwk.expired_at = Math.floor(Date.now() / 1000);
      webhookKey = await generateWebhookKey();
      verificationKeys.set(webhookKey.kid, webhookKey);
      return webhookKey;
    },
    createItem,
    item,
    publicTokenFor(itemId) {
      item(itemId);
      const token = `public-sandbox-${randomUUID()}`;
      publicTokens.set(token, itemId);
      return token;
    },
    account(itemId, name) {
      const found = item(itemId).accounts.find((a) => a.name === name);
      if (!found) throw new Error(`fake Plaid: no account ${name}`);
      return found;
    },
    addTransactions(itemId, specs) {
      const it = item(itemId);
      const txns = specs.map(makeTransaction);
      for (const txn of txns) it.changes.push({ kind: 'added', txn });
      return txns;
    },
    modifyTransaction(itemId, transactionId, patch) {
      const it = item(itemId);
      const txn = { ...findTransaction(it, transactionId), ...patch, transaction_id: transactionId };
      it.changes.push({ kind: 'modified', txn });
      return txn;
    },
    removeTransactions(itemId, transactionIds) {
      const it = item(itemId);
      for (const id of transactionIds) {
        const txn = findTransaction(it, id);
        it.changes.push({ kind: 'removed', removed: { transaction_id: id, account_id: txn.account_id } });
      }
    },
    postPending(itemId, pendingId, patch = {}) {
      const it = item(itemId);
      const pending = findTransaction(it, pendingId);
      const posted: Transaction = {
        ...pending,
        ...patch,
        transaction_id: plaidId(),
        pending: false,
        pending_transaction_id: pendingId,
      };
      it.changes.push({
        kind: 'removed',
        removed: { transaction_id: pendingId, account_id: pending.account_id },
      });
      it.changes.push({ kind: 'added', txn: posted });
      return posted;
    },
    setBalance(itemId, accountId, balances) {
      const account = item(itemId).accounts.find((a) => a.account_id === accountId);
      if (!account) throw new Error(`fake Plaid: no account ${accountId}`);
      account.balances = {
        ...account.balances,
        current: balances.current,
        available: balances.available ?? account.balances.available,
      };
    },
    setInvestments(itemId, data) {
      const it = item(itemId);
      it.securities = new Map(data.securities.map((s) => [s.security_id, s]));
      it.holdings = data.holdings;
      it.investmentTransactions = data.transactions ?? [];
    },
    addInvestmentTransactions(itemId, txns) {
      item(itemId).investmentTransactions.push(...txns);
    },
    setItemError(itemId, code) {
      const it = item(itemId);
      it.error = code ? plaidError(code, '/item/get').body : null;
    },
    failNext(path, failure, options = {}) {
      failures.push({ path, failure, skip: options.skip ?? 0, times: options.times ?? 1 });
    },
    calls(path) {
      return requests.filter((r) => r.path === path);
    },
    signWebhook(body, options) {
      return signWebhook(body, webhookKey, options);
    },
    async [Symbol.asyncDispose]() {
      await app.close();
    },
  };
}

export { makeTransaction };
