// Upstream's platform keys for `packages:` in dependencies.yaml.

/** `windows-x64`, `windows-arm64`, `linux-x64`, `linux-arm64`, `macos-x64`, `macos-arm64` or `unknown`. */
export type PlatformKey = 'windows-x64' | 'windows-arm64' | 'linux-x64' | 'linux-arm64' | 'macos-x64' | 'macos-arm64' | 'unknown';

/** The key of a Node `process.platform` / `process.arch` pair. */
export function platformKeyOf(platform: string, arch: string): PlatformKey {
  const os = platform === 'win32' ? 'windows' : platform === 'linux' ? 'linux' : platform === 'darwin' ? 'macos' : null;
  const cpu = arch === 'x64' ? 'x64' : arch === 'arm64' ? 'arm64' : null;
  return os === null || cpu === null ? 'unknown' : (`${os}-${cpu}` as PlatformKey);
}

/** The key of the running process. */
export function currentPlatformKey(): PlatformKey {
  return platformKeyOf(process.platform, process.arch);
}
