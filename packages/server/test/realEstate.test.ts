import { Decimal, todayIso } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import { amortizationSchedule } from '../src/services/realEstate/amortization.js';
import { newUser } from './support/accounts-factories.js';
import { expectTRPCError } from './support/expect-error.js';

const today = todayIso();

function rental(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Elm Street duplex',
    propertyType: 'rental' as const,
    address: {
      line1: '12 Elm Street',
      city: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      country: 'us',
    },
    units: 2,
    yearBuilt: 1978,
    purchasePrice: '400000',
    purchaseDate: '2020-01-01',
    closingCosts: '10000',
    vacancyRate: '0.05',
    rentRoll: [
      {
        unit: 'A',
        tenant: 'J. Smith',
        monthlyRent: '1500',
        leaseStart: '2024-01-01',
        leaseEnd: '2024-12-31',
      },
      { unit: 'B', monthlyRent: '1500' },
    ],
    expenses: [
      { category: 'property_tax' as const, amount: '6000', frequency: 'annually' as const },
      { category: 'insurance' as const, amount: '100' },
      { category: 'maintenance' as const, amount: '600', frequency: 'quarterly' as const },
    ],
    mortgages: [
      {
        lender: 'First Bank',
        originalPrincipal: '300000',
        annualRate: '0.06',
        termMonths: 360,
        startDate: '2020-01-01',
      },
    ],
    ...overrides,
  };
}

describe('realEstate.create / byId / list', () => {
  it('creates a rental with rent roll, expenses, a mortgage and a purchase valuation, and computes its metrics', async () => {
    const { caller } = await newUser();
    const p = await caller.realEstate.create(rental());
    expect(p).toMatchObject({
      name: 'Elm Street duplex',
      propertyType: 'rental',
      currency: 'USD',
      units: 2,
      valuationDate: '2020-01-01',
      address: { country: 'US', city: 'Springfield' },
    });
    expect(p.currentValue).toEqual(new Decimal(400000));
    expect(p.rentRoll.map((r) => r.unit)).toEqual(['A', 'B']);
    expect(p.expenses.map((e) => [e.category, e.annualAmount.toString()])).toEqual([
      ['insurance', '1200'],
      ['maintenance', '2400'],
      ['property_tax', '6000'],
    ]);

    const [m] = p.mortgages;
    expect(m).toBeDefined();
    // $300,000 at 6 % over 30 years: 1,798.65 a month (the annuity formula, rounded to the cent).
    expect(m!.payment.toFixed(2)).toBe('1798.65');
    expect(m!.maturityDate).toBe('2050-01-01');
    const schedule = amortizationSchedule({
      principal: new Decimal(300000),
      annualRate: new Decimal('0.06'),
      termMonths: 360,
      startDate: '2020-01-01',
      frequency: 'monthly',
      currency: 'USD',
    });
    const paid = schedule.rows.filter((r) => r.date <= today);
    expect(m!.paymentsMade).toBe(paid.length);
    expect(m!.currentBalance).toEqual(paid.at(-1)!.balance);

    const metrics = p.metrics;
    expect(metrics.grossScheduledRent.toFixed()).toBe('36000');
    expect(metrics.vacancyLoss.toFixed()).toBe('1800');
    expect(metrics.operatingExpenses.toFixed()).toBe('9600');
    expect(metrics.netOperatingIncome.toFixed()).toBe('24600');
    expect(metrics.annualDebtService.toFixed()).toBe('21583.8');
    expect(metrics.annualCashFlow.toFixed()).toBe('3016.2');
    expect(metrics.cashInvested?.toFixed()).toBe('110000');
    expect(metrics.capRate?.toFixed()).toBe('0.0615');
    expect(metrics.equity).toEqual(new Decimal(400000).minus(m!.currentBalance));
    expect(metrics.loanToValue).toEqual(m!.currentBalance.div(400000).toDecimalPlaces(10));

    expect(await caller.realEstate.byId({ id: p.id })).toEqual(p);
    const list = await caller.realEstate.list({ propertyType: 'rental' });
    expect(list.items.map((x) => x.id)).toEqual([p.id]);
    expect((await caller.realEstate.list({ propertyType: 'land' })).items).toEqual([]);
  });

  it('records valuations (latest is the current value) and lists their history', async () => {
    const { caller } = await newUser();
    const p = await caller.realEstate.create(rental({ mortgages: [] }));
    await caller.realEstate.recordValuation({
      propertyId: p.id,
      date: '2023-06-01',
      value: '450000',
      source: 'appraisal',
    });
    const latest = await caller.realEstate.recordValuation({
      propertyId: p.id,
      date: addDays(today, -1),
      value: '480000',
    });
    expect(latest.property.currentValue).toEqual(new Decimal(480000));
    expect(latest.property.valuationDate).toBe(addDays(today, -1));
    // An older valuation does not replace the current one.
    const older = await caller.realEstate.recordValuation({
      propertyId: p.id,
      date: '2022-01-01',
      value: '420000',
    });
    expect(older.property.currentValue).toEqual(new Decimal(480000));

    const history = await caller.realEstate.valuations({ propertyId: p.id, limit: 2 });
    expect(history.items.map((v) => [v.date, v.source])).toEqual([
      [addDays(today, -1), 'manual'],
      ['2023-06-01', 'appraisal'],
    ]);
    const rest = await caller.realEstate.valuations({ propertyId: p.id, cursor: history.nextCursor! });
    expect(rest.items.map((v) => [v.date, v.source])).toEqual([
      ['2022-01-01', 'manual'],
      ['2020-01-01', 'purchase'],
    ]);

    const future = await expectTRPCError(
      caller.realEstate.recordValuation({ propertyId: p.id, date: '2999-01-01', value: '1' }),
      'BAD_REQUEST',
    );
    expect(future.fields).toEqual(['date']);
  });

  it('updates details, replaces the rent roll and expenses, and keeps the purchase valuation in step', async () => {
    const { caller } = await newUser();
    const p = await caller.realEstate.create(rental({ mortgages: [] }));
    const u = await caller.realEstate.update({
      id: p.id,
      name: 'Elm duplex',
      ownershipShare: '0.5',
      purchasePrice: '390000',
      rentRoll: [{ unit: 'Whole', monthlyRent: '3200' }],
      expenses: [],
    });
    expect(u.name).toBe('Elm duplex');
    expect(u.rentRoll.map((r) => r.monthlyRent.toString())).toEqual(['3200']);
    expect(u.expenses).toEqual([]);
    expect(u.currentValue).toEqual(new Decimal(390000));
    expect(u.metrics.equity).toEqual(new Decimal(195000));
  });

  it('deletes a property with its mortgages', async () => {
    const { caller, db } = await newUser();
    const p = await caller.realEstate.create(rental());
    await caller.realEstate.delete({ id: p.id });
    await expectTRPCError(caller.realEstate.byId({ id: p.id }), 'NOT_FOUND');
    expect(await db('mortgages').count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});

describe('mortgages', () => {
  it('adds, updates, records an actual balance, removes; the schedule continues from the recorded balance', async () => {
    const { caller } = await newUser();
    const p = await caller.realEstate.create(rental({ mortgages: [] }));
    const heloc = await caller.realEstate.addMortgage({
      propertyId: p.id,
      lender: 'Credit Union',
      originalPrincipal: '50000',
      annualRate: '0.08',
      termMonths: 120,
      startDate: '2022-03-15',
      paymentFrequency: 'monthly',
      extraPayments: [{ date: '2023-01-01', amount: '5000' }],
    });
    expect(heloc.extraPayments.map((e) => [e.date, e.amount.toString()])).toEqual([['2023-01-01', '5000']]);

    const recorded = await caller.realEstate.recordMortgageBalance({
      mortgageId: heloc.id,
      date: '2024-01-20',
      balance: '30000',
    });
    expect(recorded.lastRecordedBalance).toEqual({ date: '2024-01-20', balance: new Decimal(30000) });

    const schedule = await caller.realEstate.amortizationSchedule({ mortgageId: heloc.id });
    expect(schedule.numberOfPayments).toBe(120);
    const firstAfter = schedule.rows.find((r) => r.date > '2024-01-20')!;
    // 30,000 × 8 % ÷ 12 = 200.00 of interest on the first payment after the recorded balance.
    expect(firstAfter.interest.toFixed(2)).toBe('200.00');
    expect(schedule.currentBalance).toEqual(recorded.currentBalance);
    const window = await caller.realEstate.amortizationSchedule({
      mortgageId: heloc.id,
      from: '2024-01-01',
      to: '2024-12-31',
    });
    expect(window.rows).toHaveLength(12);

    const updated = await caller.realEstate.updateMortgage({
      id: heloc.id,
      annualRate: '0.07',
      extraPayments: [],
    });
    expect(updated.annualRate).toEqual(new Decimal('0.07'));
    expect(updated.extraPayments).toEqual([]);
    await caller.realEstate.removeMortgage({ id: heloc.id });
    expect((await caller.realEstate.byId({ id: p.id })).mortgages).toEqual([]);
  });

  it('rejects a term of 0, a term the frequency cannot pay, and a rate of 100 %, writing nothing', async () => {
    const { caller, db, user } = await newUser();
    const p = await caller.realEstate.create(rental({ mortgages: [] }));
    const base = { propertyId: p.id, originalPrincipal: '1000', annualRate: '0.05', startDate: '2024-01-01' };
    const zero = await expectTRPCError(
      caller.realEstate.addMortgage({ ...base, termMonths: 0 }),
      'BAD_REQUEST',
    );
    expect(zero.fields).toEqual(['termMonths']);
    const quarterly = await expectTRPCError(
      caller.realEstate.addMortgage({ ...base, termMonths: 13, paymentFrequency: 'quarterly' }),
      'BAD_REQUEST',
    );
    expect(quarterly.fields).toEqual(['termMonths']);
    const rate = await expectTRPCError(
      caller.realEstate.addMortgage({ ...base, termMonths: 12, annualRate: '1' }),
      'BAD_REQUEST',
    );
    expect(rate.fields).toEqual(['annualRate']);
    const nested = await expectTRPCError(
      caller.realEstate.create(
        rental({
          mortgages: [{ originalPrincipal: '1', annualRate: '0.01', termMonths: 0, startDate: '2024-01-01' }],
        }),
      ),
      'BAD_REQUEST',
    );
    expect(nested.fields).toEqual(['mortgages.0.termMonths']);
    expect(await db('mortgages').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await db('real_estate').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it("answers NOT_FOUND for another user's property and mortgage", async () => {
    const owner = await newUser();
    const intruder = await newUser();
    const p = await owner.caller.realEstate.create(rental());
    const mortgageId = p.mortgages[0]!.id;
    await expectTRPCError(intruder.caller.realEstate.byId({ id: p.id }), 'NOT_FOUND');
    await expectTRPCError(intruder.caller.realEstate.amortizationSchedule({ mortgageId }), 'NOT_FOUND');
    await expectTRPCError(
      intruder.caller.realEstate.addMortgage({
        propertyId: p.id,
        originalPrincipal: '1',
        annualRate: '0.01',
        termMonths: 12,
        startDate: '2024-01-01',
      }),
      'NOT_FOUND',
    );
    await expectTRPCError(intruder.caller.realEstate.removeMortgage({ id: mortgageId }), 'NOT_FOUND');
    expect((await owner.caller.realEstate.byId({ id: p.id })).mortgages).toHaveLength(1);
  });
});
