/**
 * Imports a broker statement export (examples/data/*.csv) with the SDK's CSV helper, twice: the
 * second run creates nothing, because every row carries the broker's transaction id (externalId)
 * and re-imports skip what the account already has.
 *   FO_URL=http://localhost:3000 pnpm --filter @fo/examples exec tsx import-csv.ts
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CsvMapping, createClient, describeError, importCsv } from '@fo/sdk';

const url = process.env.FO_URL ?? 'http://localhost:3000';
const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

// The statement's columns and action labels, as the broker writes them.
const mapping: CsvMapping = {
  date: 'Trade Date',
  settleDate: 'Settle Date',
  type: 'Action',
  symbol: 'Symbol',
  description: 'Description',
  quantity: 'Quantity',
  price: 'Price',
  fees: 'Commission',
  amount: 'Net Amount',
  externalId: 'Transaction ID',
  dateFormat: 'MM/DD/YYYY',
  types: {
    'Cash In': 'deposit',
    'Cash Out': 'withdrawal',
    Bought: 'buy',
    Sold: 'sell',
    Dividend: 'dividend',
    'Reinvested Dividend': { type: 'dividend', reinvested: true },
    Interest: 'interest',
    'Service Fee': 'fee',
    'Foreign Tax': 'tax',
    'Stock Split': 'split',
  },
};

try {
  const anonymous = createClient({ url });
  const email = `import-csv-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple, twice';
  await anonymous.auth.signup.mutate({ email, password, name: 'Example Importer' });
  const { token } = await anonymous.auth.login.mutate({ email, password });
  const fo = createClient({ url, token });
  const account = await fo.accounts.create.mutate({
    name: 'Taxable brokerage',
    type: 'brokerage',
    trackingMode: 'transactions',
    costBasisMethod: 'fifo',
  });

  for (const file of (await readdir(dataDir)).filter((f) => f.endsWith('.csv')).sort()) {
    // The split row's ratio is read from its description ("NVIDIA CORP 10 FOR 1 SPLIT").
    const csv = await readFile(path.join(dataDir, file), 'utf8');
    for (const run of [1, 2]) {
      const summary = await importCsv(fo, {
        accountId: account.id,
        csv,
        mapping,
        batchSize: 10,
        onProgress: (p) => console.log(`  ${file} run ${run}: ${p.sent}/${p.total} rows sent`),
      });
      if (summary.errors.length) {
        for (const e of summary.errors) console.error(`  line ${e.line} ${e.field ?? ''}: ${e.message}`);
        process.exit(1);
      }
      console.log(
        `${file} run ${run}: created ${summary.created}, skipped ${summary.skippedDuplicates} duplicates`,
      );
      if (run === 2 && summary.created !== 0) throw new Error('the second import created transactions');
    }
  }

  const holdings = await fo.holdings.list.query({ accountId: account.id });
  for (const h of holdings.items.filter((x) => !x.quantity.isZero())) {
    console.log(
      `${h.symbol.padEnd(5)} ${h.quantity.toFixed().padStart(10)} shares, cost ${h.costBasis.toFixed(2)}`,
    );
  }
  const gains = await fo.transactions.realizedGains.query({ from: '2024-01-01', to: '2024-12-31' });
  console.log(
    `realized 2024: short-term ${gains.totals.short.reportableGain.toFixed(2)}, long-term ${gains.totals.long.reportableGain.toFixed(2)}, wash-sale disallowed ${gains.totals.all.washSaleDisallowed.toFixed(2)}`,
  );
  const cash = (await fo.accounts.byId.query({ id: account.id })).balance;
  console.log(`cash ${cash.toFixed(2)}`);
} catch (err) {
  console.error(describeError(err));
  process.exit(1);
}
