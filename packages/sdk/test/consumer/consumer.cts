/**
 * The CommonJS twin of consumer.ts: resolves @fo/sdk through the `require` condition
 * (dist/index.cjs and dist/index.d.cts).
 */
import { createClient, Decimal, type SystemInfo, wire } from '@fo/sdk';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_: T): void {}

async function main(url: string): Promise<void> {
  const info = await createClient({ url }).system.info.query();
  assertType<Equal<typeof info, SystemInfo>>(true);
  assertType<Equal<typeof info.time, Date>>(true);
  const amount = wire.parse<{ amount: Decimal }>(wire.stringify({ amount: new Decimal('0.1') })).amount;
  console.log(
    JSON.stringify({
      module: typeof require === 'function' ? 'cjs' : 'esm',
      timeIsDate: info.time instanceof Date,
      revision: info.schema.revision,
      decimalRevived: amount instanceof Decimal && amount.plus('0.2').eq('0.3'),
    }),
  );
}

main(process.argv[2] ?? '').catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
