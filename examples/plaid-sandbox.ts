/**
 * Links a Plaid Sandbox institution and syncs it, the way a front end and a script would:
 *   PLAID_CLIENT_ID=... PLAID_SECRET=... FO_URL=http://localhost:3000 \
 *     pnpm --filter @fo/examples exec tsx plaid-sandbox.ts
 *
 * The server must run with the same PLAID_CLIENT_ID / PLAID_SECRET (sandbox). Plaid Link is a
 * browser widget; in the Sandbox, /sandbox/public_token/create stands in for it and hands over the
 * public token Link's onSuccess would. The script then exchanges it through the SDK (the server
 * stores the item, its access token encrypted, and its accounts), asks for a sync, waits for the
 * plaid_sync task and prints the accounts and their status, then removes the item.
 *
 * Without credentials in the environment it says so and exits 0 (CI runs it that way).
 */
import { randomUUID } from 'node:crypto';
import { type Client, createClient, describeError, isApiError } from '@fo/sdk';
import { Configuration, PlaidApi, PlaidEnvironments, Products } from 'plaid';

const url = process.env.FO_URL ?? 'http://localhost:3000';
const clientId = process.env.PLAID_CLIENT_ID?.trim();
const secret = process.env.PLAID_SECRET?.trim();
const plaidEnv = process.env.PLAID_ENV?.trim() || 'sandbox';
// First Platypus Bank, Plaid's Sandbox institution.
const SANDBOX_INSTITUTION = 'ins_109508';

if (!clientId || !secret) {
  console.log(
    'plaid-sandbox: PLAID_CLIENT_ID and PLAID_SECRET are not set, so there is nothing to link.\n' +
      'With Plaid Sandbox keys (https://dashboard.plaid.com/developers/keys) in the environment of both\n' +
      'the server and this script, it links First Platypus Bank, syncs it and prints its accounts.',
  );
  process.exit(0);
}
if (plaidEnv !== 'sandbox') {
  console.error(`plaid-sandbox: PLAID_ENV is ${plaidEnv}; this example only uses Plaid's Sandbox.`);
  process.exit(1);
}

const plaid = new PlaidApi(
  new Configuration({
    basePath: process.env.PLAID_BASE_URL?.trim() || PlaidEnvironments.sandbox,
    baseOptions: { headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret } },
  }),
);

async function waitForTask(fo: Client, id: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await fo.tasks.byId.query({ id });
    if (task.status === 'succeeded' || task.status === 'failed' || task.status === 'cancelled') return task;
    if (Date.now() > deadline) throw new Error(`task ${id} still ${task.status} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function reportSync(fo: Client, label: string, taskId: string): Promise<void> {
  const task = await waitForTask(fo, taskId);
  if (task.type !== 'plaid_sync' || task.status !== 'succeeded' || !task.result) {
    throw new Error(`${label}: the sync ${task.status}: ${task.lastError ?? 'no result'}`);
  }
  const { transactions, balancesRecorded, warnings } = task.result;
  console.log(
    `${label}: ${balancesRecorded} balances recorded; transactions +${transactions.added} ~${transactions.modified} -${transactions.removed} in ${transactions.pages} page(s)`,
  );
  for (const warning of warnings) console.log(`  note: ${warning}`);
}

try {
  const anonymous = createClient({ url });
  const email = `plaid-sandbox-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple, plaid';
  await anonymous.auth.signup.mutate({ email, password, name: 'Plaid Sandbox Example' });
  const { token } = await anonymous.auth.login.mutate({ email, password });
  const fo = createClient({ url, token });

  // What the front end does first: a link token for Plaid Link.
  const link = await fo.plaid.createLinkToken.mutate();
  console.log(`link token (${link.mode} mode) valid until ${link.expiration.toISOString()}`);

  // Plaid Link's part, done by the Sandbox endpoint.
  const { data } = await plaid.sandboxPublicTokenCreate({
    institution_id: SANDBOX_INSTITUTION,
    initial_products: [Products.Transactions],
  });

  // The exchange stores the item and its accounts and enqueues the first sync.
  const { item, taskId } = await fo.plaid.exchangePublicToken.mutate({ publicToken: data.public_token });
  console.log(`linked ${item.institutionName ?? item.institutionId}: ${item.accounts.length} accounts`);
  await reportSync(fo, 'first sync', taskId);

  // Later, "sync now" (idempotent while a sync is queued; an incremental sync from the cursor).
  const again = await fo.plaid.syncNow.mutate({ id: item.id });
  await reportSync(fo, 'sync now', again.taskId);

  const { items } = await fo.plaid.items.query();
  for (const linked of items) {
    console.log(
      `${linked.institutionName}: ${linked.status}, last synced ${linked.lastSyncedAt?.toISOString() ?? 'never'}, next ${linked.nextSyncAt?.toISOString() ?? '-'}`,
    );
    for (const a of linked.accounts) {
      const account = await fo.accounts.byId.query({ id: a.id });
      console.log(
        `  ${a.name.padEnd(28)} ${a.type.padEnd(12)} ••${a.mask ?? '----'}  ${account.balance.toFixed(2).padStart(12)} ${account.currency}  ${a.syncStatus}`,
      );
    }
  }

  const removed = await fo.plaid.removeItem.mutate({ id: item.id });
  console.log(`removed the item; ${removed.detachedAccountIds.length} accounts keep their history`);
} catch (err) {
  console.error(describeError(err));
  if (isApiError(err) && err.data?.code === 'PRECONDITION_FAILED') {
    console.error('Start the server with the same PLAID_CLIENT_ID and PLAID_SECRET as this script.');
  }
  process.exit(1);
}
