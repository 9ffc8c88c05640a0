/**
 * `POST /webhooks/plaid`: Plaid's webhooks. The body is read as the exact string received (its own
 * content-type parser, in this plugin's scope only), because the signature covers its SHA-256.
 * Verified (services/plaid/webhook-verification.ts: ES256 JWT in `Plaid-Verification`, key from
 * Plaid, body hash, at most 5 minutes old) → applied and 200; anything else → 401 and nothing
 * changes. When Plaid's verification key cannot be fetched, 503: Plaid sends the webhook again.
 */
import type { FastifyInstance } from 'fastify';
import type { Knex } from '../db/knex.js';
import { findPlaidSettings } from '../services/plaid/config.js';
import { verifyPlaidWebhook } from '../services/plaid/webhook-verification.js';
import { handlePlaidWebhook } from '../services/plaid/webhooks.js';

/** Plaid's webhooks are a few hundred bytes. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

export function plaidWebhookRoutes(db: Knex) {
  return async function routes(scope: FastifyInstance): Promise<void> {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    scope.post('/webhooks/plaid', async (req, reply) => {
      if (!findPlaidSettings()) return reply.code(404).send({ error: 'Plaid is not configured' });
      const raw = typeof req.body === 'string' ? req.body : '';
      const header = req.headers['plaid-verification'];
      let verdict: Awaited<ReturnType<typeof verifyPlaidWebhook>>;
      try {
        verdict = await verifyPlaidWebhook(raw, typeof header === 'string' ? header : undefined);
      } catch (err) {
        req.log.warn({ err }, 'Plaid webhook: the verification key could not be fetched');
        return reply.code(503).send({ error: 'verification unavailable; retry later' });
      }
      if (!verdict.ok) {
        req.log.warn({ reason: verdict.reason }, 'Plaid webhook refused');
        return reply.code(401).send({ error: 'unverified webhook' });
      }
      const outcome = await handlePlaidWebhook(db, verdict.payload, req.log);
      return reply.code(200).send({ received: true, action: outcome.action });
    });
  };
}
