/**
 * A performance report with the SDK: returns by range (time- and money-weighted, against a
 * benchmark), risk (volatility, drawdown, Sharpe, Sortino, beta, alpha) and allocation, printed as
 * tables. Exits non-zero on any error.
 *   FO_URL=http://localhost:3000 pnpm --filter @fo/examples exec tsx performance-report.ts
 *
 * It signs up a fresh user and seeds a demo portfolio first: three years of daily closes of three
 * funds and a benchmark index, a taxable brokerage account and a Roth IRA whose ledgers hold
 * deposits, purchases, quarterly dividends reinvested in the bond fund, a sale and a withdrawal.
 * The symbols are the example's own (EXAMPLE.*), so running it against a real server leaves real
 * prices alone. The report itself is read with an API token scoped to `read`, as a script would.
 */
import { randomUUID } from 'node:crypto';
import { type Client, createClient, Decimal, describeError } from '@fo/sdk';

const url = process.env.FO_URL ?? 'http://localhost:3000';
const BENCHMARK = 'EXAMPLE.INDEX';
const FUNDS = {
  growth: { symbol: 'EXAMPLE.GROWTH', name: 'Example growth fund', assetClass: 'etf' },
  bonds: { symbol: 'EXAMPLE.BONDS', name: 'Example bond fund', assetClass: 'bond' },
  intl: { symbol: 'EXAMPLE.INTL', name: 'Example international fund', assetClass: 'mutual_fund' },
} as const;
type Fund = keyof typeof FUNDS;

/**
 * Deterministic closes by weekday index: drifts with wobbles, so there are drawdowns to find. The
 * growth fund shares two of the index's wobbles (a beta to find); the others have their own.
 */
const CLOSE: Record<Fund | 'index', (i: number) => number> = {
  growth: (i) => 80 * (1 + 0.0007 * i) + 3 * Math.sin(i / 11) + 2 * Math.sin(i / 37) + 2 * Math.sin(i / 5),
  bonds: (i) => 50 + 0.004 * i + 0.5 * Math.sin(i / 17),
  intl: (i) => 30 * (1 + 0.0003 * i) + 2.5 * Math.sin(i / 19) + 1.5 * Math.cos(i / 53),
  index: (i) => 400 * (1 + 0.0005 * i) + 12 * Math.sin(i / 11) + 8 * Math.sin(i / 37),
};
const close = (fund: Fund | 'index', i: number) => new Decimal(CLOSE[fund](i).toFixed(2));

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Weekdays of the last `days` calendar days, oldest first. */
function weekdays(days: number): string[] {
  const out: string[] = [];
  const now = Date.now();
  for (let i = days; i >= 0; i--) {
    const d = new Date(now - i * 86_400_000);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(isoDay(d));
  }
  return out;
}

type Row = {
  type: 'deposit' | 'withdrawal' | 'buy' | 'sell' | 'dividend';
  tradeDate: string;
  symbol?: string;
  quantity?: string;
  price?: string;
  amount?: string;
  reinvested?: boolean;
};

/** Signs up, loads prices and two accounts' histories; returns a client on the new session. */
async function seedDemoPortfolio(): Promise<Client> {
  const anonymous = createClient({ url });
  const email = `performance-report-${randomUUID()}@example.com`;
  const password = `example passphrase ${randomUUID().slice(0, 8)}`;
  await anonymous.auth.signup.mutate({ email, password, name: 'Example Family' });
  const { token } = await anonymous.auth.login.mutate({ email, password });
  const session = createClient({ url, token });

  const days = weekdays(3 * 365 + 45);
  const funds = Object.keys(FUNDS) as Fund[];
  await session.prices.upsert.mutate({
    rows: days.flatMap((date, i) => [
      ...funds.map((f) => ({
        symbol: FUNDS[f].symbol,
        date,
        close: close(f, i).toFixed(2),
        currency: 'USD',
      })),
      { symbol: BENCHMARK, date, close: close('index', i).toFixed(2), currency: 'USD' },
    ]),
  });
  await session.analytics.settings.set.mutate({ benchmarkSymbol: BENCHMARK, riskFreeRate: '0.04' });

  const day = (i: number) => days[i] as string;
  const trade = (type: 'buy' | 'sell', fund: Fund, i: number, quantity: number): Row => ({
    type,
    tradeDate: day(i),
    symbol: FUNDS[fund].symbol,
    quantity: String(quantity),
    price: close(fund, i).toFixed(2),
  });

  // Taxable: 120,000 in, growth and bonds bought; 20,000 more a year later for the international
  // fund; some growth sold after two years; 10,000 taken out near the end.
  const taxable: Row[] = [
    { type: 'deposit', tradeDate: day(0), amount: '120000' },
    trade('buy', 'growth', 0, 700),
    trade('buy', 'bonds', 0, 800),
    { type: 'deposit', tradeDate: day(260), amount: '20000' },
    trade('buy', 'intl', 260, 600),
    trade('sell', 'growth', 520, 150),
    { type: 'withdrawal', tradeDate: day(700), amount: '-10000' },
  ];
  // The bond fund pays 0.50 a share each quarter, reinvested at the day's close (whole 0.0001
  // shares; the remainder stays in cash).
  let bondShares = new Decimal(800);
  for (let i = 63; i < days.length; i += 63) {
    const price = close('bonds', i);
    const dividend = bondShares.mul('0.50');
    const shares = dividend.div(price).toDecimalPlaces(4, Decimal.ROUND_DOWN);
    taxable.push({
      type: 'dividend',
      tradeDate: day(i),
      symbol: FUNDS.bonds.symbol,
      reinvested: true,
      amount: dividend.toFixed(2),
      quantity: shares.toFixed(),
      price: price.toFixed(2),
    });
    bondShares = bondShares.add(shares);
  }
  taxable.sort((a, b) => a.tradeDate.localeCompare(b.tradeDate));

  // Roth IRA: a yearly contribution, invested the same week.
  const ira: Row[] = [
    { type: 'deposit', tradeDate: day(5), amount: '7000' },
    trade('buy', 'growth', 5, 80),
    { type: 'deposit', tradeDate: day(265), amount: '7000' },
    trade('buy', 'intl', 265, 200),
    { type: 'deposit', tradeDate: day(525), amount: '7000' },
    trade('buy', 'bonds', 525, 120),
  ];

  for (const [account, rows] of [
    [{ name: 'Taxable brokerage', type: 'brokerage', subtype: 'joint' }, taxable],
    [{ name: 'Roth IRA', type: 'retirement', subtype: 'roth_ira' }, ira],
  ] as const) {
    const created = await session.accounts.create.mutate({ ...account, trackingMode: 'transactions' });
    const result = await session.transactions.import.mutate({ accountId: created.id, rows });
    if (!result.committed) {
      const first = result.errors[0];
      throw new Error(
        `import into ${account.name} refused: row ${first?.row} ${first?.field}: ${first?.message}`,
      );
    }
    // The ledger opens positions as stocks; names and classes are the user's to set.
    const { items } = await session.holdings.list.query({ accountId: created.id, limit: 50 });
    for (const holding of items) {
      const fund = Object.values(FUNDS).find((f) => f.symbol === holding.symbol);
      if (fund)
        await session.holdings.update.mutate({
          id: holding.id,
          name: fund.name,
          assetClass: fund.assetClass,
        });
    }
  }
  return session;
}

// ── Formatting ─────────────────────────────────────────────────────────────────────────────────

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(2)} %`;
const ratio = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(2));
const amount = (d: Decimal | null | undefined) =>
  d
    ? Number(d.toFixed(2)).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : '–';

/** Columns padded to their widest cell: the first `textColumns` left-aligned, figures right-aligned. */
function table(header: string[], rows: string[][], textColumns = 1): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c < textColumns ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)]
    .map((l) => `  ${l}`)
    .join('\n');
}

interface RangeInfo {
  range: { key: string; status: string; from: string; requestedFrom: string };
  unavailable: { figure: string; reason: string }[];
}

/** Ranges without figures, each with the server's reason, under the table. */
function withoutFigures(ranges: RangeInfo[]): string[] {
  return ranges
    .filter((r) => r.range.status !== 'ok')
    .map((r) => {
      const reason = r.unavailable.find((u) => u.figure === 'all')?.reason ?? r.range.status;
      return `  ${r.range.key}: no figures (from ${r.range.requestedFrom}): ${reason}`;
    });
}

async function report(fo: Client): Promise<void> {
  const ranges = ['1M', '3M', '6M', 'YTD', '1Y', '3Y', '5Y', 'ITD'] as const;
  const [perf, risk, mix, accounts] = await Promise.all([
    fo.analytics.performance.query({ ranges: [...ranges] }),
    fo.analytics.risk.query({ ranges: [...ranges] }),
    fo.analytics.allocation.query({}),
    fo.accounts.list.query({ limit: 50 }),
  ]);
  const byAccount = await Promise.all(
    accounts.items.map(async (account) => ({
      account,
      perf: await fo.analytics.performance.query({
        scope: { type: 'account', accountId: account.id },
        ranges: ['1Y', 'ITD'],
      }),
    })),
  );
  const { basis } = perf;
  const itd = perf.ranges.find((r) => r.range.key === 'ITD');
  if (itd?.range.status !== 'ok' || itd.twr === null) {
    const why = itd?.unavailable.map((u) => u.reason).join('; ') ?? 'the range is missing';
    throw new Error(`no return since inception: ${why}`);
  }

  console.log(`Performance report: ${perf.scope.name}, as of ${basis.asOf}, in ${basis.currency}`);
  console.log(
    `  benchmark ${basis.benchmark ?? 'none'}, risk-free rate ${pct(basis.riskFree.annualRate)} a year`,
  );
  console.log(`  time-weighted: ${basis.timeWeighted}; money-weighted: ${basis.moneyWeighted}`);

  console.log('\nReturns');
  const ok = <T extends RangeInfo>(list: T[]) => list.filter((r) => r.range.status === 'ok');
  console.log(
    table(
      ['Range', 'From', 'To', 'TWR', 'TWR a year', 'XIRR', 'Benchmark', `Profit (${basis.currency})`],
      ok(perf.ranges).map((r) => [
        r.range.key,
        r.range.from,
        r.range.to,
        pct(r.twr),
        pct(r.twrAnnualized),
        pct(r.xirr),
        pct(r.benchmarkReturn),
        amount(r.profit),
      ]),
    ),
  );
  for (const line of withoutFigures(perf.ranges)) console.log(line);

  console.log('\nRisk (from daily returns; volatility, ratios and alpha annualized)');
  console.log(
    table(
      [
        'Range',
        'Volatility',
        'Max drawdown',
        'Peak',
        'Trough',
        'Recovered',
        'Sharpe',
        'Sortino',
        'Beta',
        'Alpha',
        'Correlation',
      ],
      ok(risk.ranges).map((r) => {
        const dd = r.maxDrawdown;
        return [
          r.range.key,
          pct(r.volatility),
          pct(dd?.depth),
          dd?.peakDate ?? '–',
          dd?.troughDate ?? '–',
          dd ? (dd.recoveryDate ?? 'not yet') : '–',
          ratio(r.sharpe),
          ratio(r.sortino),
          ratio(r.beta),
          pct(r.alpha),
          ratio(r.correlation),
        ];
      }),
    ),
  );
  for (const line of withoutFigures(risk.ranges)) console.log(line);

  console.log('\nBy account');
  console.log(
    table(
      ['Account', `Value (${basis.currency})`, 'TWR 1Y', 'TWR since inception', 'XIRR since inception'],
      byAccount.map(({ account, perf: p }) => {
        const year = p.ranges.find((r) => r.range.key === '1Y');
        const all = p.ranges.find((r) => r.range.key === 'ITD');
        return [account.name, amount(all?.endValue), pct(year?.twr), pct(all?.twr), pct(all?.xirr)];
      }),
    ),
  );

  console.log(`\nAllocation on ${mix.asOf}: ${amount(mix.total)} ${basis.currency}`);
  const slices = (title: string, list: typeof mix.byAssetClass) =>
    list.map((s, i) => [i === 0 ? title : '', s.label, amount(s.value), pct(s.weight)]);
  console.log(
    table(
      ['By', 'Slice', `Value (${basis.currency})`, 'Weight'],
      [
        ...slices('asset class', mix.byAssetClass),
        ...slices('account', mix.byAccount),
        ...slices('currency', mix.byCurrency),
        ...slices('holding', mix.concentration.largest),
      ],
      2,
    ),
  );
  const c = mix.concentration;
  console.log(
    `  concentration: ${c.holdings} holdings, top-10 weight ${pct(c.top10Weight)}, Herfindahl index ${ratio(c.herfindahl)}`,
  );

  // Anything the server could not value (a price or FX gap, say) is reported, never a silent zero.
  const notes = new Set<string>();
  for (const m of [...perf.missing, ...risk.missing, ...mix.missing]) notes.add(m.message);
  for (const r of [...ok(perf.ranges), ...ok(risk.ranges)]) for (const m of r.missing) notes.add(m.message);
  if (notes.size > 0) {
    console.log('\nNotes');
    for (const note of notes) console.log(`  - ${note}`);
  }
}

try {
  const session = await seedDemoPortfolio();
  // The report runs as a script does: with an API token that can read and nothing else.
  const { token } = await session.apiTokens.create.mutate({
    name: 'performance report',
    scopes: ['read'],
    expiresInDays: 1,
  });
  await report(createClient({ url, token }));
} catch (err) {
  console.error(describeError(err));
  process.exit(1);
}
