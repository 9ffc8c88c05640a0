/**
 * Signs up, signs in, creates a read-only API token for a script, and calls `auth.me` with it —
 * the way an automation script gets its credential.
 *   FO_URL=http://localhost:3000 pnpm --filter @fo/examples exec tsx login-and-token.ts
 */
import { randomUUID } from 'node:crypto';
import { createClient, describeError, isApiError } from '@fo/sdk';

const url = process.env.FO_URL ?? 'http://localhost:3000';
// A new account per run, so the example can run again and again against one server.
const email = `example-${randomUUID()}@example.com`;
const password = `example passphrase ${randomUUID().slice(0, 8)}`;

try {
  const anonymous = createClient({ url });
  await anonymous.auth.signup.mutate({ email, password, name: 'Example Script Owner' });
  const session = await anonymous.auth.login.mutate({ email, password });
  if (session.mfaRequired) throw new Error('a new account should not need a second factor');
  console.log(`signed in as ${email}; session valid until ${session.expiresAt.toISOString()} at the latest`);

  // Tokens are managed with a session; the plaintext is shown once.
  const signedIn = createClient({ url, token: session.token });
  const { token, apiToken } = await signedIn.apiTokens.create.mutate({
    name: 'example read-only script',
    scopes: ['read'],
    expiresInDays: 7,
  });
  console.log(`created API token ${apiToken.prefix}… scopes=${apiToken.scopes.join(',')}`);

  const script = createClient({ url, token });
  const me = await script.auth.me.query();
  if (me.user.email !== email || me.credential.via !== 'token') {
    throw new Error(`auth.me answered for ${me.user.email} via ${me.credential.via}`);
  }
  console.log(
    `auth.me with the API token: ${me.user.email} (via ${me.credential.via}, scopes ${me.credential.scopes.join(',')})`,
  );

  // A read token cannot write: the server answers FORBIDDEN with a stable code.
  const refused = await script.users.updateProfile.mutate({ name: 'nope' }).then(
    () => null,
    (err: unknown) => (isApiError(err) ? err.data?.code : String(err)),
  );
  if (refused !== 'FORBIDDEN')
    throw new Error(`expected FORBIDDEN for a write with a read token, got ${refused}`);
  console.log('a write with the read-only token is refused: FORBIDDEN');

  await signedIn.auth.logout.mutate();
} catch (err) {
  console.error(describeError(err));
  process.exit(1);
}
