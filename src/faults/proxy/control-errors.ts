/** @module The errors of talking to the fault proxy's control API: it said no (exit 2), or it did not answer (exit 3). */
import { TargetNotReadyError, UsageError } from '../../errors.js';

/** The control API answered with an error status; `status` and the API's one-line reason. */
export class ProxyControlError extends UsageError {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The control API did not answer at all; `refused` when nothing listens there (the proxy is gone). */
export class ProxyUnreachableError extends TargetNotReadyError {
  readonly refused: boolean;

  constructor(url: string, cause: unknown) {
    const code = (cause as { cause?: { code?: string } } | undefined)?.cause?.code;
    super(`fault proxy control API ${url} does not answer (${code ?? (cause instanceof Error ? cause.message : String(cause))})`, {
      hint: 'is the sandbox (and its fault proxy) running? `bindy-loadtest sandbox status`',
      cause,
    });
    this.refused = code === 'ECONNREFUSED';
  }
}
