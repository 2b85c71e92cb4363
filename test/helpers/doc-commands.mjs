// The shell commands the user-facing docs show, and an "installed" app to run them in.
//
// shellCommands(file): every line of the ```sh blocks (comments dropped); mcpConfigArgs(file): the
// argument arrays of the MCP client configurations (`"command": "npx"`). installedApp(): a folder laid
// out like an app after `npm install luaskills` — node_modules/luaskills (this checkout) and the
// node_modules/.bin/luaskills link npm makes for the package's bin — with its own HOME, so that
// `npx luaskills …` and `~/.luaskills` resolve there and never reach a registry.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function readDoc(file) {
  return readFileSync(path.join(repoRoot, file), 'utf8');
}

/** The commands of the ```sh blocks of `file`, one per line, without comments. */
export function shellCommands(file) {
  const commands = [];
  for (const [, body] of readDoc(file).matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of body.split('\n')) {
      const command = line.replace(/(^|\s+)#.*$/, '').trim();
      if (command) commands.push(command);
    }
  }
  return commands;
}

/** The `"args": ["luaskills", …]` arrays of the MCP client configurations (run with `npx`) in `file`. */
export function mcpConfigArgs(file) {
  return [...readDoc(file).matchAll(/"args": (\["luaskills"[^\]]*\])/g)].map((m) => JSON.parse(m[1]));
}

/**
 * A fresh app folder with luaskills "installed" and `examples/skills/text-tools` copied in (the
 * README's quick start names it relatively). `env` is the environment to run commands with.
 */
export function installedApp(base = tmpdir()) {
  const dir = mkdtempSync(path.join(base, 'luaskills-app-'));
  const home = path.join(dir, 'home');
  mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  mkdirSync(home);
  symlinkSync(repoRoot, path.join(dir, 'node_modules', 'luaskills'), 'dir');
  symlinkSync(path.join('..', 'luaskills', 'bin', 'luaskills.mjs'), path.join(dir, 'node_modules', '.bin', 'luaskills'));
  cpSync(path.join(repoRoot, 'examples', 'skills', 'text-tools'), path.join(dir, 'examples', 'skills', 'text-tools'), { recursive: true });
  const env = { ...process.env, HOME: home, npm_config_cache: path.join(home, '.npm'), npm_config_offline: 'true', npm_config_update_notifier: 'false' };
  delete env.LUASKILLS_RUNTIME_ROOT;
  return { dir, home, env };
}
