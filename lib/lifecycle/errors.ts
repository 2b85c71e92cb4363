import { CodedError } from '../coded-error.js';

/** Stable codes of {@link LifecycleError}. */
export const LIFECYCLE_ERROR_CODES = [
  'invalid_request',
  'refused',
  'network_disabled',
  'source_unresolved',
  'download_failed',
  'checksum_mismatch',
  'archive_invalid',
  'manifest_invalid',
  'locked',
  'cancelled',
  'io_failed',
  'reload_failed',
] as const;
export type LifecycleErrorCode = (typeof LIFECYCLE_ERROR_CODES)[number];

/** A skill lifecycle operation (install, update, uninstall, enable, disable) that failed or was refused. */
export class LifecycleError extends CodedError<LifecycleErrorCode> {
  override readonly name = 'LifecycleError';
}
