/**
 * Builds a small family balance sheet with the SDK and prints its net worth and a mortgage's
 * amortization summary:
 *   FO_URL=http://localhost:3000 pnpm --filter @fo/examples exec tsx net-worth.ts
 *
 * Signs up a fresh user (auth.signup, auth.login), then: a checking account and a euro savings
 * account with balances, a brokerage account with holdings, daily prices and FX rates, a credit
 * card, and a rental property with a rent roll, expenses and a 30-year mortgage.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Decimal, describeError } from '@fo/sdk';

const url = process.env.FO_URL ?? 'http://localhost:3000';
const today = new Date().toISOString().slice(0, 10);
const money = (d: Decimal, currency = 'USD') =>
  `${currency} ${Number(d.toFixed(2)).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
const percent = (d: Decimal | null) => (d ? `${d.mul(100).toFixed(2)} %` : 'n/a');

try {
  const anonymous = createClient({ url });
  const email = `net-worth-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple, twice';
  await anonymous.auth.signup.mutate({ email, password, name: 'Example Family' });
  const { token } = await anonymous.auth.login.mutate({ email, password });
  const fo = createClient({ url, token });

  // Market data: scripts send these in batches of up to 10,000 rows.
  await fo.fx.upsert.mutate({ rows: [{ date: today, base: 'EUR', quote: 'USD', rate: '1.08' }] });
  await fo.prices.upsert.mutate({
    rows: [
      { symbol: 'VTI', date: today, close: '268.40', currency: 'USD' },
      { symbol: 'BND', date: today, close: '72.15', currency: 'USD' },
      { symbol: 'AAPL', date: today, close: '227.50', currency: 'USD' },
    ],
  });

  const checking = await fo.accounts.create.mutate({
    name: 'Joint checking',
    type: 'checking',
    institution: 'Chase',
  });
  await fo.accounts.recordBalance.mutate({ accountId: checking.id, date: today, balance: '18250.40' });
  const savings = await fo.accounts.create.mutate({ name: 'Tagesgeld', type: 'savings', currency: 'EUR' });
  await fo.accounts.recordBalance.mutate({ accountId: savings.id, date: today, balance: '25000' });
  const card = await fo.accounts.create.mutate({ name: 'Visa', type: 'credit_card' });
  await fo.accounts.recordBalance.mutate({ accountId: card.id, date: today, balance: '2310.77' });

  const brokerage = await fo.accounts.create.mutate({
    name: 'Taxable brokerage',
    type: 'brokerage',
    subtype: 'joint',
    trackingMode: 'holdings',
  });
  for (const [symbol, quantity, costBasis] of [
    ['VTI', '320', '61200'],
    ['BND', '500', '37900'],
    ['AAPL', '75', '9800'],
  ] as const) {
    await fo.holdings.create.mutate({ accountId: brokerage.id, symbol, quantity, costBasis });
  }

  const rental = await fo.realEstate.create.mutate({
    name: '14 Maple Street',
    propertyType: 'rental',
    address: { line1: '14 Maple Street', city: 'Columbus', region: 'OH', country: 'US' },
    units: 2,
    purchasePrice: '420000',
    purchaseDate: '2021-06-15',
    closingCosts: '9500',
    vacancyRate: '0.05',
    rentRoll: [
      { unit: 'Upper', monthlyRent: '1650' },
      { unit: 'Lower', monthlyRent: '1550' },
    ],
    expenses: [
      { category: 'property_tax', amount: '6800', frequency: 'annually' },
      { category: 'insurance', amount: '140' },
      { category: 'maintenance', amount: '900', frequency: 'quarterly' },
    ],
    mortgages: [
      {
        lender: 'First Federal',
        originalPrincipal: '336000',
        annualRate: '0.0325',
        termMonths: 360,
        startDate: '2021-06-15',
      },
    ],
  });
  await fo.realEstate.recordValuation.mutate({
    propertyId: rental.id,
    date: today,
    value: '465000',
    source: 'estimate',
  });

  const nw = await fo.portfolio.netWorth.query();
  console.log(
    `Net worth on ${nw.asOf}: ${money(nw.netWorth, nw.baseCurrency)}${nw.complete ? '' : ' (incomplete)'}`,
  );
  console.log(`  assets ${money(nw.totalAssets)}   liabilities ${money(nw.totalLiabilities)}`);
  for (const [category, value] of Object.entries(nw.categories)) {
    if (!value.isZero()) console.log(`  ${category.padEnd(18)} ${money(value)}`);
  }
  console.log('By currency:');
  for (const c of nw.byCurrency) {
    const rate = c.rate ? ` at ${c.rate.toString()} (${c.rateDate})` : '';
    console.log(`  ${c.currency} ${c.net.toFixed(2)}${rate} = ${c.value ? money(c.value) : 'no rate'}`);
  }
  for (const w of nw.warnings) console.log(`  ! ${w.message}`);

  const property = await fo.realEstate.byId.query({ id: rental.id });
  const mortgage = property.mortgages[0]!;
  const schedule = await fo.realEstate.amortizationSchedule.query({ mortgageId: mortgage.id });
  console.log(`\nMortgage on ${property.name} (${mortgage.lender}):`);
  console.log(
    `  ${money(mortgage.originalPrincipal)} at ${percent(mortgage.annualRate)} for ${mortgage.termMonths} months: ` +
      `${money(schedule.payment)} a month, ${money(schedule.totalInterest)} of interest, paid off ${schedule.payoffDate}`,
  );
  console.log(`  balance today ${money(schedule.currentBalance)} after ${mortgage.paymentsMade} payments`);
  for (const row of schedule.rows.slice(0, 3)) {
    console.log(
      `  #${row.period} ${row.date}  interest ${row.interest.toFixed(2)}  principal ${row.principal.toFixed(2)}  balance ${row.balance.toFixed(2)}`,
    );
  }
  const m = property.metrics;
  console.log(
    `  equity ${m.equity ? money(m.equity) : 'n/a'}, LTV ${percent(m.loanToValue)}, NOI ${money(m.netOperatingIncome)}, ` +
      `cap rate ${percent(m.capRate)}, cash flow ${money(m.annualCashFlow)}/yr, cash-on-cash ${percent(m.cashOnCashReturn)}`,
  );
} catch (err) {
  console.error(describeError(err));
  process.exit(1);
}
