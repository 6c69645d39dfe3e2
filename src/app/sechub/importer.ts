import { awsErrorCode } from '../../adapters/aws/aws-errors.js';
import type { ImportAnswer } from '../../adapters/aws/securityhub.js';
import { InterruptedError, NessusByolError } from '../../core/errors.js';
import type { AsffFinding, FailedFinding } from './types.js';

/** Where one account's findings go: its Security Hub, reached as the caller or through an assumed role. */
export interface HubTarget {
  batchImport(findings: readonly object[], signal?: AbortSignal): Promise<ImportAnswer>;
}

export interface ImporterOptions {
  /** ≤ 100 (BatchImportFindings' limit). */
  batchSize: number;
  /** BatchImportFindings calls in flight at once, over all accounts. */
  concurrency: number;
  /** Aborts in-flight calls (Ctrl-C). */
  signal?: AbortSignal | undefined;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  /** Further tries of a throttled batch after the SDK's own retries gave up (default 3). */
  throttleRetries?: number;
  onBatchDone?: () => void;
  /** SIGTERM: a batch waiting for a free slot is not sent any more. */
  shouldStop?: () => boolean;
}

/** Security Hub error codes that mean "slow down", as a whole-call error or per finding. */
const THROTTLE = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'Throttling',
  'RequestLimitExceeded',
  'LimitExceeded',
]);
export const isThrottle = (code: string): boolean => THROTTLE.has(code);

/** How many failures keep their details; all are counted. */
const FAILURES_KEPT = 100;

export interface AccountTally {
  findings: number;
  imported: number;
  failed: number;
}

/**
 * Collects findings per owner account into batches and imports them with bounded concurrency. Every
 * failure, whole call or per finding (FailedFindings), is counted with its error code; throttling is
 * retried. An account whose call fails for any other reason (no Security Hub, access denied, role not
 * assumable) is not called again in this run: its remaining findings are counted as failed with the
 * same code.
 */
export class Importer {
  readonly tally = new Map<string, AccountTally>();
  readonly failureCodes: Record<string, number> = {};
  readonly failures: FailedFinding[] = [];
  /** Per account, the error that stopped its imports. */
  readonly broken = new Map<string, { code: string; message: string }>();
  #pending = new Map<string, AsffFinding[]>();
  #inFlight = new Set<Promise<void>>();
  #fatal: unknown;

  constructor(
    private readonly targetFor: (account: string) => HubTarget,
    private readonly opts: ImporterOptions,
  ) {}

  get imported(): number {
    return [...this.tally.values()].reduce((n, t) => n + t.imported, 0);
  }

  get failed(): number {
    return [...this.tally.values()].reduce((n, t) => n + t.failed, 0);
  }

  /** Counts a finding that failed before it could be sent (our own ASFF checks). */
  recordLocalFailure(f: AsffFinding, code: string, message: string): void {
    this.#tallyOf(f.AwsAccountId).findings++;
    this.#fail(f.AwsAccountId, [{ id: f.Id, code, message }]);
  }

  /** Queues one finding; waits when `concurrency` batches are already in flight (back-pressure). */
  async add(f: AsffFinding): Promise<void> {
    this.#throwIfFatal();
    this.#tallyOf(f.AwsAccountId).findings++;
    const list = this.#pending.get(f.AwsAccountId) ?? [];
    list.push(f);
    this.#pending.set(f.AwsAccountId, list);
    if (list.length >= this.opts.batchSize) {
      this.#pending.delete(f.AwsAccountId);
      await this.#submit(f.AwsAccountId, list);
    }
  }

  /** Sends what is still queued and waits for every call. */
  async flush(): Promise<void> {
    for (const [account, list] of [...this.#pending]) {
      this.#pending.delete(account);
      await this.#submit(account, list);
    }
    await this.settle();
  }

  /** Waits for the calls in flight only; queued findings stay unsent (SIGTERM: finish the current batch). */
  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
    this.#throwIfFatal();
  }

  /** Findings queued but not sent. */
  get unsent(): number {
    return [...this.#pending.values()].reduce((n, l) => n + l.length, 0);
  }

  async #submit(account: string, batch: AsffFinding[]): Promise<void> {
    while (this.#inFlight.size >= this.opts.concurrency) await Promise.race(this.#inFlight);
    this.#throwIfFatal();
    if (this.opts.shouldStop?.()) {
      this.#pending.set(account, [...batch, ...(this.#pending.get(account) ?? [])]);
      return;
    }
    const p = this.#importBatch(account, batch)
      .catch((e: unknown) => {
        this.#fatal ??= e;
      })
      .finally(() => {
        this.#inFlight.delete(p);
        this.opts.onBatchDone?.();
      });
    this.#inFlight.add(p);
  }

  async #importBatch(account: string, batch: AsffFinding[]): Promise<void> {
    const broken = this.broken.get(account);
    if (broken)
      return this.#fail(
        account,
        batch.map((f) => ({ id: f.Id, ...broken })),
      );
    let todo = batch;
    const retries = this.opts.throttleRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let answer: ImportAnswer;
      try {
        answer = await this.targetFor(account).batchImport(todo, this.opts.signal);
      } catch (e) {
        if (this.opts.signal?.aborted) throw new InterruptedError();
        const code = errorCodeOf(e);
        if (isThrottle(code) && attempt < retries) {
          await this.#backoff(attempt);
          continue;
        }
        const message = e instanceof Error ? e.message : String(e);
        if (!isThrottle(code)) this.broken.set(account, { code, message });
        return this.#fail(
          account,
          todo.map((f) => ({ id: f.Id, code, message })),
        );
      }
      const throttled = answer.failed.filter((f) => isThrottle(f.code));
      const rejected = answer.failed.filter((f) => !isThrottle(f.code));
      // FailedCount can exceed the list we were given: count the unexplained ones too.
      const unexplained = Math.max(0, answer.failedCount - answer.failed.length);
      this.#tallyOf(account).imported += Math.max(0, todo.length - answer.failed.length - unexplained);
      this.#fail(
        account,
        rejected.map((f) => ({ ...f, message: f.message || f.code })),
      );
      for (let i = 0; i < unexplained; i++)
        this.#fail(account, [
          { id: '', code: 'Unreported', message: 'FailedCount exceeded the FailedFindings listed' },
        ]);
      if (throttled.length === 0) return;
      const ids = new Set(throttled.map((f) => f.id));
      if (attempt >= retries) return this.#fail(account, throttled);
      todo = todo.filter((f) => ids.has(f.Id));
      await this.#backoff(attempt);
    }
  }

  async #backoff(attempt: number): Promise<void> {
    const random = this.opts.random ?? Math.random;
    await this.opts.sleep(Math.round(2000 * 2 ** attempt * (0.5 + random() / 2)));
  }

  #fail(account: string, list: FailedFinding[] | Omit<FailedFinding, 'account'>[]): void {
    const t = this.#tallyOf(account);
    for (const f of list) {
      t.failed++;
      this.failureCodes[f.code] = (this.failureCodes[f.code] ?? 0) + 1;
      if (this.failures.length < FAILURES_KEPT) this.failures.push({ ...f, account });
    }
  }

  #tallyOf(account: string): AccountTally {
    let t = this.tally.get(account);
    if (!t) this.tally.set(account, (t = { findings: 0, imported: 0, failed: 0 }));
    return t;
  }

  #throwIfFatal(): void {
    if (this.#fatal !== undefined) throw this.#fatal;
  }
}

/** The AWS error code behind a mapped error (AwsError keeps the SDK error as its cause). */
function errorCodeOf(e: unknown): string {
  if (e instanceof NessusByolError && e.cause !== undefined) {
    const inner = errorCodeOf(e.cause);
    if (inner !== 'Unknown' && inner !== 'Error') return inner;
    return e.code;
  }
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const code = awsErrorCode(e);
  return status === 429 && !THROTTLE.has(code) ? 'TooManyRequestsException' : code;
}
