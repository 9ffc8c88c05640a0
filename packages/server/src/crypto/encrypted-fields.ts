/**
 * Every column that holds a secret encrypted with the keyring, so `pnpm fo keys:rotate` can
 * re-encrypt all of them under the current key. A feature that stores a new kind of secret adds
 * its column here, with the same context string it passes to `encrypt`/`seal`.
 */

export type EncryptedField =
  | {
      /** Ciphertext and key id in two columns. */
      kind: 'pair';
      name: string;
      table: string;
      ciphertextColumn: string;
      keyIdColumn: string;
      context: (rowId: string) => string;
    }
  | {
      /** `fo1:<keyId>:<ciphertext>` in one column (see Keyring.seal). */
      kind: 'sealed';
      name: string;
      table: string;
      column: string;
      context: (rowId: string) => string;
    };

export const plaidAccessTokenContext = (itemRowId: string) => `plaid_items.access_token:${itemRowId}`;

export const mfaSecretContext = (userId: string) => `users.mfa_secret:${userId}`;

export const ENCRYPTED_FIELDS: readonly EncryptedField[] = [
  {
    kind: 'pair',
    name: 'Plaid access tokens',
    table: 'plaid_items',
    ciphertextColumn: 'access_token_ciphertext',
    keyIdColumn: 'access_token_key_id',
    context: plaidAccessTokenContext,
  },
  {
    kind: 'sealed',
    name: 'TOTP secrets',
    table: 'users',
    column: 'mfa_secret',
    context: mfaSecretContext,
  },
];
