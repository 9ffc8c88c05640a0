/**
 * Where analytics computations run. A book is prepared once per cache key (user, data version,
 * settings, day) and kept: small books on the main thread (they take well under a few
 * milliseconds), big ones in a worker thread, so a 100,000-transaction history never blocks the
 * event loop. Results are memoized per (key, request), and concurrent identical requests share
 * one computation.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { getEnv } from '../../env.js';
import type { RawBook } from './engine/raw.js';
import {
  type BookSession,
  estimateWork,
  openSession,
  runSession,
  type SessionRequest,
  type SessionResponse,
} from './engine/session.js';
import { Lru } from './lru.js';

export interface AnalyticsJob {
  /** Identifies the book's data exactly: a new version of anything it depends on is a new key. */
  key: string;
  load: () => Promise<RawBook>;
  requests: SessionRequest[];
}

type WorkerReply =
  | { id: number; responses: SessionResponse[] }
  | { id: number; needData: true }
  | { id: number; error: string };

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (err: Error) => void;
}

/** The worker's entry: the TypeScript source through tsx's API when running from source. */
function startWorker(cacheUsers: number): Worker {
  const url = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: { cacheUsers } });
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const bootstrap = [
    `import(${JSON.stringify(tsxApi)})`,
    `  .then(({ tsImport }) => tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)}))`,
    '  .catch((err) => {',
    '    console.error(err);',
    '    process.exit(1);',
    '  });',
  ].join('\n');
  return new Worker(bootstrap, { eval: true, workerData: { cacheUsers } });
}

class WorkerSlot {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /**
   * Price series already sent to this worker, under which market key: every user's book carries
   * the same ten years of closes, so a book sent after a write leaves those out (megabytes not
   * copied across threads on every cold call). The worker asks again if it no longer has one.
   */
  private sent: { marketKey: string; symbols: Set<string> } = { marketKey: '', symbols: new Set() };

  constructor(private readonly cacheUsers: number) {}

  get load(): number {
    return this.pending.size;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker(this.cacheUsers);
    w.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) w.unref();
      p.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker === w) {
        this.worker = null;
        this.sent = { marketKey: '', symbols: new Set() };
      }
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`analytics worker exited with code ${code}`)));
    w.unref();
    this.worker = w;
    return w;
  }

  send(key: string, requests: SessionRequest[], raw?: RawBook): Promise<WorkerReply> {
    const w = this.ensure();
    const id = this.nextId++;
    const book = raw && this.withoutSentPrices(raw);
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, key, raw: book, requests });
    });
  }

  /** Sends the whole book, every price series included (the worker asked for it). */
  resend(key: string, requests: SessionRequest[], raw: RawBook): Promise<WorkerReply> {
    this.sent = { marketKey: '', symbols: new Set() };
    return this.send(key, requests, raw);
  }

  private withoutSentPrices(raw: RawBook): RawBook {
    if (!raw.marketKey) return raw;
    if (this.sent.marketKey !== raw.marketKey) this.sent = { marketKey: raw.marketKey, symbols: new Set() };
    const sent = this.sent.symbols;
    const prices = raw.prices.map((p) => {
      if (sent.has(p.symbol))
        return { symbol: p.symbol, currency: p.currency, points: '', omitted: true as const };
      sent.add(p.symbol);
      return p;
    });
    return { ...raw, prices };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.sent = { marketKey: '', symbols: new Set() };
    if (w) await w.terminate();
  }
}

class AnalyticsHost {
  private readonly inline: Lru<string, BookSession>;
  private readonly placement: Lru<string, WorkerSlot>;
  private readonly results = new Lru<string, SessionResponse>(1024);
  private readonly inflight = new Map<string, Promise<SessionResponse[]>>();
  private readonly slots: WorkerSlot[];
  private readonly inlineMaxWork: number;

  constructor(opts: { workers: number; cacheUsers: number; inlineMaxWork: number }) {
    this.inline = new Lru(opts.cacheUsers);
    this.placement = new Lru(Math.max(opts.cacheUsers * 4, 16));
    this.slots = Array.from({ length: opts.workers }, () => new WorkerSlot(opts.cacheUsers));
    this.inlineMaxWork = opts.inlineMaxWork;
  }

  async run(job: AnalyticsJob): Promise<SessionResponse[]> {
    const keys = job.requests.map((r) => `${job.key}\u0000${JSON.stringify(r)}`);
    const out = keys.map((k) => this.results.get(k));
    // Only what is not memoized yet is computed (one request of a pair may be).
    const todo = out.flatMap((cached, i) => (cached === undefined ? [i] : []));
    if (todo.length === 0) return out as SessionResponse[];
    const flightKey = todo.map((i) => keys[i]).join('\u0001');
    let flight = this.inflight.get(flightKey);
    if (!flight) {
      const requests = todo.map((i) => job.requests[i] as SessionRequest);
      flight = this.compute({ ...job, requests }).finally(() => this.inflight.delete(flightKey));
      this.inflight.set(flightKey, flight);
    }
    const computed = await flight;
    todo.forEach((i, j) => {
      const r = computed[j] as SessionResponse;
      this.results.set(keys[i] as string, r);
      out[i] = r;
    });
    return out as SessionResponse[];
  }

  private async compute(job: AnalyticsJob): Promise<SessionResponse[]> {
    const local = this.inline.get(job.key);
    if (local) return job.requests.map((r) => runSession(local, r));
    const placed = this.placement.get(job.key);
    if (placed) {
      const reply = await placed.send(job.key, job.requests);
      if ('responses' in reply) return reply.responses;
      if ('error' in reply) throw new Error(`analytics worker: ${reply.error}`);
    }
    const raw = await job.load();
    if (this.slots.length === 0 || estimateWork(raw) <= this.inlineMaxWork) {
      const session = openSession(raw);
      this.inline.set(job.key, session);
      return job.requests.map((r) => runSession(session, r));
    }
    const slot = this.slots.reduce((best, s) => (s.load < best.load ? s : best));
    this.placement.set(job.key, slot);
    let reply = await slot.send(job.key, job.requests, raw);
    if ('needData' in reply) reply = await slot.resend(job.key, job.requests, raw);
    if ('responses' in reply) return reply.responses;
    throw new Error(`analytics worker: ${'error' in reply ? reply.error : 'lost the book it was sent'}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }
}

let host: AnalyticsHost | null = null;

export function analyticsHost(): AnalyticsHost {
  if (!host) {
    const env = getEnv();
    host = new AnalyticsHost({
      workers: env.ANALYTICS_WORKERS,
      cacheUsers: env.ANALYTICS_CACHE_USERS,
      inlineMaxWork: env.ANALYTICS_INLINE_MAX_WORK,
    });
  }
  return host;
}

/** A host with explicit options (tests, benchmarks). */
export function createAnalyticsHost(opts: { workers: number; cacheUsers: number; inlineMaxWork: number }) {
  return new AnalyticsHost(opts);
}

/** Stops the worker threads (graceful shutdown). */
export async function closeAnalyticsHost(): Promise<void> {
  const h = host;
  host = null;
  await h?.close();
}
