/**
 * Analytics worker thread: keeps prepared books (by cache key) and answers requests against them,
 * so big computations never run on the server's event loop. Messages:
 *   in:  { id, key, raw?, requests }   — raw: the book, when the worker may not have it (price
 *        series it was sent before under the same market key come without their points)
 *   out: { id, responses } | { id, needData: true } | { id, error }
 * needData: the worker lacks the book, or a price series left out of it (the host resends all).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hasParsedPrices, type RawBook } from './engine/raw.js';
import {
  type BookSession,
  openSession,
  runSession,
  type SessionRequest,
  transferables,
} from './engine/session.js';
import { Lru } from './lru.js';

interface Job {
  id: number;
  key: string;
  raw?: RawBook;
  requests: SessionRequest[];
}

const sessions = new Lru<string, BookSession>(
  (workerData as { cacheUsers: number } | undefined)?.cacheUsers ?? 16,
);

parentPort?.on('message', (job: Job) => {
  try {
    let session = sessions.get(job.key);
    if (!session) {
      // The host leaves out price series it sent before; this thread may have dropped them since.
      if (!job.raw || !hasParsedPrices(job.raw)) {
        parentPort?.postMessage({ id: job.id, needData: true });
        return;
      }
      session = openSession(job.raw);
      sessions.set(job.key, session);
    }
    const current = session;
    const responses = job.requests.map((r) => runSession(current, r));
    parentPort?.postMessage({ id: job.id, responses }, transferables(responses));
  } catch (err) {
    parentPort?.postMessage({
      id: job.id,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  }
});
