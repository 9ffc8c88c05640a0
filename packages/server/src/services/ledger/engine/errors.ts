/**
 * What a replay can refuse. Pure: the service layer turns these into ConflictError/ValidationError
 * naming the transaction and field.
 */
import { formatQty } from './fixed.js';

export class LedgerEngineError extends Error {
  override name = 'LedgerEngineError';
  constructor(
    message: string,
    /** The transaction the replay could not apply. */
    readonly txId: string,
  ) {
    super(message);
  }
}

/** A sell or transfer asks for more shares than the account holds (and it may not go short). */
export class OversellError extends LedgerEngineError {
  override name = 'OversellError';
  constructor(
    txId: string,
    readonly accountId: string,
    readonly symbol: string,
    readonly held: bigint,
    readonly asked: bigint,
  ) {
    super(
      `Cannot sell ${formatQty(asked)} ${symbol}: the account holds ${formatQty(held)} at that date`,
      txId,
    );
  }
}

/** A specific-identification lot list that does not fit the lots open at the sale. */
export class LotSelectionError extends LedgerEngineError {
  override name = 'LotSelectionError';
  constructor(
    txId: string,
    /** Index in the transaction's `lots` list, or null for the list as a whole. */
    readonly index: number | null,
    message: string,
  ) {
    super(message, txId);
  }
}

/** A transaction that cannot apply to the position as it stands (e.g. shares into a short position). */
export class PositionConflictError extends LedgerEngineError {
  override name = 'PositionConflictError';
}
