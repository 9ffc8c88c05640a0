/**
 * Nightly portfolio analysis with the SDK: schedules `portfolio_analysis` every weekday morning,
 * runs it once now, waits for the result through the `tasks.onUpdate` subscription (polling
 * `tasks.byId` if the stream fails or stalls) and prints it. Exits non-zero when the task fails.
 *   FO_URL=http://localhost:3000 pnpm --filter @fo/examples exec tsx nightly-analysis.ts
 *
 * It signs up a fresh user and sets up a year of history first: a brokerage account whose ledger
 * bought two funds a year ago, and daily prices of those funds and of a benchmark. The symbols are
 * the example's own (EXAMPLE.*), so running it against a real server leaves real prices alone.
 * The nightly part runs as a script does, with an API token scoped to `read` and `tasks`.
 */
import { randomUUID } from 'node:crypto';
import { type Client, createClient, describeError, type TaskOf } from '@fo/sdk';

const url = process.env.FO_URL ?? 'http://localhost:3000';
const TIMEOUT_MS = 120_000;
/** No update for this long: stop listening and poll instead. */
const STALL_MS = 20_000;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(2)} %`;
const terminal = (status: string) => status === 'succeeded' || status === 'failed' || status === 'cancelled';

/** Weekdays of the last `days` days, oldest first. */
function weekdays(days: number): string[] {
  const out: string[] = [];
  const now = Date.now();
  for (let i = days; i >= 0; i--) {
    const d = new Date(now - i * 86_400_000);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(isoDay(d));
  }
  return out;
}

async function setUp(): Promise<{ session: Client; start: string }> {
  const anonymous = createClient({ url });
  const email = `nightly-${randomUUID()}@example.com`;
  const password = `example passphrase ${randomUUID().slice(0, 8)}`;
  await anonymous.auth.signup.mutate({ email, password, name: 'Nightly Example' });
  const { token } = await anonymous.auth.login.mutate({ email, password });
  const session = createClient({ url, token });

  // A year of closes: an equity fund drifting up with a wobble, a bond fund, and a benchmark.
  const days = weekdays(380);
  const equity = (i: number) => (100 * (1 + 0.0005 * i) + 4 * Math.sin(i / 7)).toFixed(2);
  const bonds = (i: number) => (50 + 0.004 * i + 0.3 * Math.sin(i / 11)).toFixed(2);
  const index = (i: number) => (400 * (1 + 0.0004 * i) + 10 * Math.sin(i / 9)).toFixed(2);
  await session.prices.upsert.mutate({
    rows: days.flatMap((date, i) => [
      { symbol: 'EXAMPLE.EQ', date, close: equity(i), currency: 'USD' },
      { symbol: 'EXAMPLE.BD', date, close: bonds(i), currency: 'USD' },
      { symbol: 'EXAMPLE.IDX', date, close: index(i), currency: 'USD' },
    ]),
  });
  await session.analytics.settings.set.mutate({ benchmarkSymbol: 'EXAMPLE.IDX' });

  const start = days[0]!;
  const account = await session.accounts.create.mutate({
    name: 'Taxable brokerage',
    type: 'brokerage',
    trackingMode: 'transactions',
  });
  const at = { accountId: account.id, tradeDate: start };
  await session.transactions.create.mutate({ ...at, type: 'deposit', amount: '100000' });
  await session.transactions.create.mutate({
    ...at,
    type: 'buy',
    symbol: 'EXAMPLE.EQ',
    quantity: '600',
    price: equity(0),
  });
  await session.transactions.create.mutate({
    ...at,
    type: 'buy',
    symbol: 'EXAMPLE.BD',
    quantity: '700',
    price: bonds(0),
  });
  // The ledger opens positions as stocks; the bond fund is reclassified (its name and class are
  // the user's to set, its quantity and cost the ledger's).
  const { items } = await session.holdings.list.query({ accountId: account.id, symbol: 'EXAMPLE.BD' });
  await session.holdings.update.mutate({ id: items[0]!.id, name: 'Example bond fund', assetClass: 'bond' });
  return { session, start };
}

/** Follows the task's updates until it finishes; null if the stream failed or stalled. */
async function waitBySubscription(fo: Client, taskId: string): Promise<string | null> {
  const controller = new AbortController();
  const overall = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let stall = setTimeout(() => controller.abort(), STALL_MS);
  try {
    for await (const update of fo.tasks.onUpdate.subscribe({ taskId }, { signal: controller.signal })) {
      clearTimeout(stall);
      stall = setTimeout(() => controller.abort(), STALL_MS);
      const progress = update.progressMessage
        ? ` (${Math.round(update.progress * 100)} %: ${update.progressMessage})`
        : '';
      console.log(`  ${update.status}${progress}`);
      if (terminal(update.status)) return update.status;
    }
    return null;
  } catch (err) {
    const why = controller.signal.aborted ? 'no update in time' : describeError(err);
    console.log(`  subscription stopped (${why}); polling instead`);
    return null;
  } finally {
    clearTimeout(stall);
    clearTimeout(overall);
    controller.abort();
  }
}

async function waitByPolling(fo: Client, taskId: string, deadline: number): Promise<string> {
  for (;;) {
    const task = await fo.tasks.byId.query({ id: taskId });
    if (terminal(task.status)) return task.status;
    if (Date.now() > deadline)
      throw new Error(`task ${taskId} still ${task.status} after ${TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function print(task: TaskOf<'portfolio_analysis'>): void {
  const r = task.result;
  if (!r) throw new Error('the task succeeded without a result');
  console.log(`\nPortfolio analysis as of ${r.asOf} (${r.baseCurrency}, risk tolerance ${r.riskTolerance})`);
  for (const range of r.performance.ranges) {
    const risk = r.risk.ranges.find((k) => k.range.key === range.range.key);
    console.log(
      `  ${range.range.key.padEnd(4)} TWR ${pct(range.twr).padStart(9)}   benchmark ${pct(range.benchmarkReturn).padStart(9)}` +
        `   volatility ${pct(risk?.volatility).padStart(9)}   max drawdown ${pct(risk?.maxDrawdown?.depth).padStart(9)}`,
    );
  }
  console.log(`  value ${r.allocation.total.toFixed(2)} ${r.baseCurrency}`);
  for (const slice of r.allocation.byAssetClass) {
    console.log(`    ${slice.key.padEnd(12)} ${slice.value.toFixed(2).padStart(12)}  ${pct(slice.weight)}`);
  }
  if (r.flags.length === 0) console.log('  no flags');
  for (const flag of r.flags) console.log(`  ! [${flag.severity}] ${flag.message}`);
}

try {
  const { session } = await setUp();
  // The script's own credential: it may read and run tasks, nothing else.
  const { token } = await session.apiTokens.create.mutate({
    name: 'nightly analysis',
    scopes: ['read', 'tasks'],
    expiresInDays: 7,
  });
  const fo = createClient({ url, token });

  const input = { concentrationThreshold: 0.6 };
  const schedule = await fo.tasks.schedule.mutate({
    type: 'portfolio_analysis',
    input,
    cron: '0 6 * * 1-5',
    timezone: 'America/New_York',
  });
  console.log(
    `scheduled portfolio_analysis "${schedule.cron}" (${schedule.timezone}); next run ${schedule.nextRunAt.toISOString()}`,
  );

  // One run now; the key makes a retry of this script reuse today's run instead of adding one.
  const task = await fo.tasks.create.mutate({
    type: 'portfolio_analysis',
    input,
    idempotencyKey: `nightly-analysis-${isoDay(new Date())}`,
  });
  console.log(`queued task ${task.id}`);
  const deadline = Date.now() + TIMEOUT_MS;
  const status = (await waitBySubscription(fo, task.id)) ?? (await waitByPolling(fo, task.id, deadline));

  const done = await fo.tasks.byId.query({ id: task.id });
  if (status !== 'succeeded' || done.type !== 'portfolio_analysis') {
    console.error(`task ${task.id} ended ${done.status}: ${done.lastError ?? 'no error recorded'}`);
    process.exit(1);
  }
  print(done);
} catch (err) {
  console.error(describeError(err));
  process.exit(1);
}
