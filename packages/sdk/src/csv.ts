/**
 * Broker CSV imports: parse a statement export (RFC 4180: quoted fields, doubled quotes, CRLF,
 * line breaks inside quotes), map its columns onto ledger transactions, and send them to
 * `transactions.import` in batches with progress callbacks.
 *
 *   const summary = await importCsv(fo, {
 *     accountId,
 *     csv: await readFile('statement.csv', 'utf8'),
 *     mapping: { date: 'Trade Date', type: 'Action', symbol: 'Symbol', quantity: 'Quantity',
 *                price: 'Price', fees: 'Commission', amount: 'Net Amount', externalId: 'Transaction ID',
 *                types: { Bought: 'buy', Sold: 'sell', 'Dividend Reinvested': { type: 'dividend', reinvested: true } },
 *                dateFormat: 'MM/DD/YYYY' },
 *     onProgress: (p) => console.log(`${p.sent}/${p.total}`),
 *   });
 *
 * Each batch is all-or-nothing on the server and idempotent by external id, so a failed or
 * interrupted import can simply be run again: rows already in the account are skipped. Without an
 * external id column, each row gets one derived from its contents (and its occurrence number among
 * identical rows), which keeps re-imports of the same file idempotent too.
 */
import { TRANSACTION_TYPES } from '@fo/schema/enums';
import type { Client } from './index.js';

type ImportInput = Parameters<Client['transactions']['import']['mutate']>[0];
/** One row as transactions.import takes it. */
export type ImportRow = ImportInput['rows'][number];
type TransactionType = ImportRow['type'];

/** Parses CSV text into records of fields. An empty trailing line is ignored. */
export function parseCsv(text: string, options: { delimiter?: string } = {}): string[][] {
  const delimiter = options.delimiter ?? ',';
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) endField();
    else if (c === '\n') endRecord();
    else if (c === '\r') {
      if (text[i + 1] === '\n') i++;
      endRecord();
    } else field += c;
  }
  if (quoted) throw new Error('CSV: a quoted field is not closed');
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

export type DateFormat = 'YYYY-MM-DD' | 'MM/DD/YYYY' | 'DD/MM/YYYY' | 'DD.MM.YYYY';

export interface CsvMapping {
  /** Column headers (as in the file's first line) for each field. */
  date: string;
  type: string;
  symbol?: string;
  quantity?: string;
  price?: string;
  amount?: string;
  fees?: string;
  externalId?: string;
  settleDate?: string;
  description?: string;
  currency?: string;
  /**
   * Column holding a split's ratio (new : old, "10:1", "10-for-1", "1 for 5"). When absent or empty
   * on a split row, the ratio is read from the description (e.g. "NVIDIA CORP 10 FOR 1 SPLIT").
   */
  splitRatio?: string;
  /**
   * The file's action labels → transaction types (matched case-insensitively after trimming).
   * Labels already equal to a type ('buy', 'sell', 'dividend', ...) need no entry.
   */
  types?: Record<string, TransactionType | { type: TransactionType; reinvested?: boolean }>;
  /** Default 'YYYY-MM-DD'. */
  dateFormat?: DateFormat;
  /**
   * Quantities in the file are signed (sells negative): take their absolute value. Default true.
   */
  absoluteQuantities?: boolean;
  /** Rows whose action is not in `types` (nor a type name) are skipped instead of reported. Default false. */
  skipUnknownTypes?: boolean;
  delimiter?: string;
}

export interface CsvRowError {
  /** 1-based line of the CSV file (the header is line 1). */
  line: number;
  field: string | null;
  message: string;
}

const TYPES: readonly TransactionType[] = TRANSACTION_TYPES;

/** "$1,234.50", "(12.00)", "-3", " 4.5 " → plain decimal strings; '' → undefined. */
export function normalizeNumber(raw: string): string | undefined {
  let s = raw.trim();
  if (s === '' || s === '-' || s === '--') return undefined;
  let negative = false;
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1);
  }
  s = s.replace(/[$€£¥\s,]/g, '');
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  } else if (s.startsWith('+')) s = s.slice(1);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) throw new Error(`not a number: '${raw}'`);
  return negative && !/^0*\.?0*$/.test(s) ? `-${s}` : s;
}

export function normalizeDate(raw: string, format: DateFormat): string {
  const s = raw.trim();
  let y: string | undefined;
  let m: string | undefined;
  let d: string | undefined;
  if (format === 'YYYY-MM-DD') [, y, m, d] = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(s) ?? [];
  else if (format === 'MM/DD/YYYY') [, m, d, y] = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s) ?? [];
  else if (format === 'DD/MM/YYYY') [, d, m, y] = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s) ?? [];
  else [, d, m, y] = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s) ?? [];
  const date = y && m && d ? new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))) : null;
  if (
    !date ||
    date.getUTCFullYear() !== Number(y) ||
    date.getUTCMonth() !== Number(m) - 1 ||
    date.getUTCDate() !== Number(d)
  ) {
    throw new Error(`not a ${format} date: '${raw}'`);
  }
  return `${y}-${(m as string).padStart(2, '0')}-${(d as string).padStart(2, '0')}`;
}

/** 64-bit FNV-1a of a string, hex: a stable id for rows without one. */
function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** Maps CSV text onto import rows; problems come back by CSV line, with nothing guessed. */
export function rowsFromCsv(
  csv: string,
  mapping: CsvMapping,
): { rows: ImportRow[]; lines: number[]; errors: CsvRowError[]; skipped: number } {
  const records = parseCsv(csv, { delimiter: mapping.delimiter ?? ',' });
  const [header, ...body] = records;
  if (!header) return { rows: [], lines: [], errors: [], skipped: 0 };
  const index = new Map(header.map((h, i) => [h.trim().toLowerCase(), i]));
  const errors: CsvRowError[] = [];
  const columnOf = (field: keyof CsvMapping): number | undefined => {
    const name = mapping[field];
    if (typeof name !== 'string') return undefined;
    const i = index.get(name.trim().toLowerCase());
    if (i === undefined) errors.push({ line: 1, field, message: `column '${name}' is not in the header` });
    return i;
  };
  const cols = {
    date: columnOf('date'),
    type: columnOf('type'),
    symbol: columnOf('symbol'),
    quantity: columnOf('quantity'),
    price: columnOf('price'),
    amount: columnOf('amount'),
    fees: columnOf('fees'),
    externalId: columnOf('externalId'),
    settleDate: columnOf('settleDate'),
    description: columnOf('description'),
    currency: columnOf('currency'),
    splitRatio: columnOf('splitRatio'),
  };
  if (errors.length) return { rows: [], lines: [], errors, skipped: 0 };
  const labels = new Map(
    Object.entries(mapping.types ?? {}).map(([label, t]) => [
      label.trim().toLowerCase(),
      typeof t === 'string'
        ? { type: t, reinvested: false }
        : { type: t.type, reinvested: t.reinvested ?? false },
    ]),
  );
  const format = mapping.dateFormat ?? 'YYYY-MM-DD';
  const rows: ImportRow[] = [];
  const lines: number[] = [];
  const seen = new Map<string, number>();
  let skipped = 0;
  body.forEach((record, n) => {
    const line = n + 2;
    const cell = (i: number | undefined) => (i === undefined ? '' : (record[i] ?? '').trim());
    const label = cell(cols.type).toLowerCase();
    const kind =
      labels.get(label) ??
      (TYPES.includes(label as TransactionType)
        ? { type: label as TransactionType, reinvested: false }
        : undefined);
    if (!kind) {
      if (mapping.skipUnknownTypes) skipped++;
      else
        errors.push({
          line,
          field: 'type',
          message: `unknown action '${cell(cols.type)}' (add it to mapping.types)`,
        });
      return;
    }
    try {
      const row: ImportRow = { type: kind.type, tradeDate: normalizeDate(cell(cols.date), format) };
      if (kind.reinvested) row.reinvested = true;
      const symbol = cell(cols.symbol);
      if (symbol) row.symbol = symbol;
      const num = (field: 'quantity' | 'price' | 'amount' | 'fees', i: number | undefined) => {
        try {
          return normalizeNumber(cell(i));
        } catch (err) {
          throw Object.assign(err as Error, { field });
        }
      };
      let quantity = num('quantity', cols.quantity);
      if (quantity && (mapping.absoluteQuantities ?? true)) quantity = quantity.replace(/^-/, '');
      if (quantity && !/^0*\.?0*$/.test(quantity)) row.quantity = quantity;
      const price = num('price', cols.price);
      if (price) row.price = price.replace(/^-/, '');
      const amount = num('amount', cols.amount);
      if (amount) row.amount = amount;
      const fees = num('fees', cols.fees);
      if (fees) row.fees = fees.replace(/^-/, '');
      const settle = cell(cols.settleDate);
      if (settle) row.settleDate = normalizeDate(settle, format);
      const description = cell(cols.description);
      if (description) row.description = description.slice(0, 1000);
      const currency = cell(cols.currency);
      if (currency) row.currency = currency;
      if (kind.type === 'split') {
        const ratio = /(\d+(?:\.\d+)?)\s*(?::|-for-|\s+for\s+)\s*(\d+(?:\.\d+)?)/i.exec(
          cell(cols.splitRatio) || description,
        );
        if (!ratio)
          throw Object.assign(new Error('a split needs its ratio (e.g. "10:1")'), { field: 'splitRatio' });
        row.splitRatio = `${ratio[1]}:${ratio[2]}`;
        delete row.quantity;
        delete row.price;
        delete row.amount;
      }
      const given = cell(cols.externalId);
      if (given) row.externalId = given;
      else {
        const key = record.map((c) => c.trim()).join('\u001f');
        const occurrence = (seen.get(key) ?? 0) + 1;
        seen.set(key, occurrence);
        row.externalId = `csv:${fnv1a64(key)}:${occurrence}`;
      }
      rows.push(row);
      lines.push(line);
    } catch (err) {
      errors.push({
        line,
        field: (err as { field?: string }).field ?? 'date',
        message: (err as Error).message,
      });
    }
  });
  return { rows, lines, errors, skipped };
}

export interface ImportProgress {
  /** Rows sent so far, of `total`. */
  sent: number;
  total: number;
  created: number;
  skippedDuplicates: number;
  batch: number;
  batches: number;
}

export interface ImportCsvOptions {
  accountId: string;
  csv: string;
  mapping: CsvMapping;
  /** Rows per call (the server takes up to 10,000). Default 5,000. */
  batchSize?: number;
  dryRun?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportCsvSummary {
  /** Data rows in the file. */
  rows: number;
  created: number;
  skippedDuplicates: number;
  /** Rows left out because their action is unknown and `skipUnknownTypes` is set. */
  skippedUnknown: number;
  /** Problems by CSV line. Parsing problems stop the import before anything is sent; a refused
   *  batch stops it after the batches before it were written (run it again once fixed). */
  errors: CsvRowError[];
  dryRun: boolean;
}

/** Parses, maps and imports a broker CSV into one account, batch by batch. */
export async function importCsv(client: Client, options: ImportCsvOptions): Promise<ImportCsvSummary> {
  const { rows, lines, errors, skipped } = rowsFromCsv(options.csv, options.mapping);
  const dryRun = options.dryRun ?? false;
  const summary: ImportCsvSummary = {
    rows: rows.length + errors.filter((e) => e.line > 1).length + skipped,
    created: 0,
    skippedDuplicates: 0,
    skippedUnknown: skipped,
    errors,
    dryRun,
  };
  if (errors.length) return summary;
  const size = Math.min(Math.max(1, options.batchSize ?? 5000), 10_000);
  const batches = Math.ceil(rows.length / size);
  for (let b = 0; b < batches; b++) {
    const start = b * size;
    const chunk = rows.slice(start, start + size);
    const result = await client.transactions.import.mutate({
      accountId: options.accountId,
      rows: chunk,
      dryRun,
    });
    if (result.errors.length) {
      // Row 0 is not one of the batch's rows: an existing transaction the batch would break.
      summary.errors = result.errors.map((e) => ({
        line: e.row > 0 ? (lines[start + e.row - 1] ?? 0) : 0,
        field: e.field,
        message: e.message,
      }));
      return summary;
    }
    summary.created += result.created;
    summary.skippedDuplicates += result.skippedDuplicates;
    options.onProgress?.({
      sent: start + chunk.length,
      total: rows.length,
      created: summary.created,
      skippedDuplicates: summary.skippedDuplicates,
      batch: b + 1,
      batches,
    });
  }
  return summary;
}
