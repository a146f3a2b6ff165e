import { errors } from "../errors.ts";

/**
 * Where a failed statement aborts the transaction (PostgreSQL), code that catches the error
 * and goes on would fail later on "current transaction is aborted", or see COMMIT quietly
 * roll everything back and report success. The first such error is kept; the next
 * statement, or the commit, fails with it instead.
 */
export class AbortedTransaction {
  readonly #owner: string;
  #cause: unknown;

  constructor(owner: string) {
    this.#owner = owner;
  }

  /** Records a failed statement's error when it aborted the transaction it ran in. */
  note(error: unknown, aborted: boolean): void {
    if (aborted && this.#cause === undefined) this.#cause = error;
  }

  /** Throws when an earlier statement aborted the transaction. */
  assertOpen(): void {
    if (this.#cause !== undefined) throw errors.transactionAborted(this.#owner, this.#cause);
  }
}
