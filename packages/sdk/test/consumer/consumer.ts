/**
 * A consumer of the PACKED @fo/sdk, outside the workspace (pack.test.ts copies this directory to a
 * scratch project). tsc checks it against the published declarations, then it runs as ESM.
 * The type assertions are what a user relies on: were the declarations to lose the router types,
 * outputs would turn into `any` and the checks below would fail to compile.
 */
import {
  type Account,
  createClient,
  Decimal,
  isApiError,
  type RouterInputs,
  type SystemInfo,
  wire,
} from '@fo/sdk';

type IsAny<T> = 0 extends 1 & T ? true : false;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_: T): void {}

const url = process.argv[2];
if (!url) throw new Error('usage: consumer <server url>');
const fo = createClient({ url });

const info = await fo.system.info.query();
assertType<Equal<typeof info, SystemInfo>>(true);
assertType<Equal<IsAny<typeof info>, false>>(true);
assertType<Equal<typeof info.time, Date>>(true);
assertType<Equal<typeof info.database.kind, 'embedded' | 'external'>>(true);
assertType<Equal<RouterInputs['system']['info'], void>>(true);
// Money arrives as decimal.js Decimals, moments as Dates.
assertType<Equal<Account['balance'], Decimal>>(true);
assertType<Equal<Account['createdAt'], Date>>(true);
// @ts-expect-error the account type is an enumeration
void fo.accounts.create.mutate({ name: 'x', type: 'piggy_bank' }).catch(() => undefined);
// @ts-expect-error system.info takes no input
void fo.system.info.query({ verbose: true }).catch(() => undefined);
// @ts-expect-error no such procedure
void fo.system.nope;

const amount = wire.parse<{ amount: Decimal }>(wire.stringify({ amount: new Decimal('0.1') })).amount;

// A wrong base URL: fastify answers 404 outside tRPC, and the client still reports an API error.
let errorIsApiError = false;
try {
  await createClient({ url: `${url}/nowhere` }).system.info.query();
} catch (err) {
  errorIsApiError = isApiError(err);
}

console.log(
  JSON.stringify({
    module: 'esm',
    timeIsDate: info.time instanceof Date,
    revision: info.schema.revision,
    decimalRevived: amount instanceof Decimal && amount.plus('0.2').eq('0.3'),
    errorIsApiError,
  }),
);
