// Ctrl-C during a long operation: the first SIGINT aborts the operation's AbortSignal (the
// command then exits 130), a second one exits at once.
import { EXIT_INTERRUPTED, InterruptedError } from './output.js';

/** Runs `work` with a signal that SIGINT aborts; a failure after the abort becomes InterruptedError. */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort(new InterruptedError());
  };
  process.on('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) throw new InterruptedError(`interrupted: ${(err as Error).message ?? String(err)}`, { cause: err });
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
