// Yes/no questions about a path, where any error (missing, no permission, broken link) means
// "no": the callers decide what a missing file means, and report real failures when they use it.
import { access, stat } from 'node:fs/promises';

/** Whether `target` exists (follows links). */
export function pathExists(target: string): Promise<boolean> {
  return access(target).then(
    () => true,
    () => false,
  );
}

/** Whether `target` is a directory (follows links). */
export function isDirectory(target: string): Promise<boolean> {
  return stat(target).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** Whether `target` is a regular file (follows links). */
export function isFile(target: string): Promise<boolean> {
  return stat(target).then(
    (info) => info.isFile(),
    () => false,
  );
}
