/**
 * Analytics worker thread: keeps prepared books (by cache key) and answers requests against them,
 * so big computations never run on the server's event loop. Messages:
 *   in:  { id, key, raw?, requests }   — raw: the book, when the worker may not have it
 *   out: { id, responses } | { id, needData: true } | { id, error }
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RawBook } from './engine/raw.js';
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
      if (!job.raw) {
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
