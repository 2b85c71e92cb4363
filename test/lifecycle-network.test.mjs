// The engine's install/update against a GitHub-shaped release API and a skill hub on loopback:
// install, up to date, a newer release updated in place, a checksum mismatch and a broken archive
// that leave everything as it was, offline refusal, and progress events with download bytes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { LuaSkillsEngine } from '../dist/index.js';
import { buildZip, skillEntries } from './helpers/zip.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const work = mkdtempSync(path.join(tmpdir(), 'luaskills-lifecycle-net-'));
let server;
let base;
const releases = {}; // repo -> { version, zip, checksum? }
const hub = {}; // id -> { version, zip }
const stalled = [];
let privateZip;

function handler(req, res) {
  const url = new URL(req.url, base);
  const send = (status, body, type = 'application/octet-stream') => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (url.pathname === '/gh/o/broken/releases/download/v1.0.0/broken-v1.0.0-skill.zip') return send(500, 'boom', 'text/plain');
  if (url.pathname === '/gh/o/stall/releases/download/v1.0.0/stall-v1.0.0-skill.zip') {
    res.writeHead(200, { 'content-length': 100000 });
    res.write(Buffer.alloc(1000));
    stalled.push(res);
    return undefined;
  }
  if (url.pathname === '/private/notes.json') {
    return send(200, JSON.stringify({ skill_id: 'notes', version: '1.0.0', archive: { type: 'zip', url: `${base}/private/notes.zip`, sha256: sha(privateZip) } }), 'application/json');
  }
  if (url.pathname === '/private/notes.zip') return send(200, privateZip);
  let m = /^\/api\/repos\/o\/([a-z-]+)\/releases\/latest$/.exec(url.pathname);
  if (m && releases[m[1]]) {
    const { version } = releases[m[1]];
    const id = m[1];
    return send(200, JSON.stringify({
      tag_name: `v${version}`,
      assets: [
        { name: `${id}-v${version}-skill.zip`, browser_download_url: `https://github.com/o/${id}/releases/download/v${version}/${id}-v${version}-skill.zip` },
        { name: `${id}-v${version}-checksums.txt`, browser_download_url: `https://github.com/o/${id}/releases/download/v${version}/${id}-v${version}-checksums.txt` },
      ],
    }), 'application/json');
  }
  m = /^\/gh\/o\/([a-z-]+)\/releases\/download\/v([^/]+)\/(.+)$/.exec(url.pathname);
  if (m && releases[m[1]]) {
    const r = releases[m[1]];
    if (m[3].endsWith('-skill.zip')) return send(200, r.zip);
    return send(200, `${r.checksum ?? sha(r.zip)}  ${m[1]}-v${r.version}-skill.zip\n`, 'text/plain');
  }
  m = /^\/hub\/api\/v1\/skills\/([a-z-]+)\/resolve$/.exec(url.pathname);
  if (m && hub[m[1]]) {
    const h = hub[m[1]];
    return send(200, JSON.stringify({ skill_id: m[1], version: h.version, archive: { type: 'zip', url: `${base}/hub-files/${m[1]}.zip`, sha256: sha(h.zip) } }), 'application/json');
  }
  m = /^\/hub-files\/([a-z-]+)\.zip$/.exec(url.pathname);
  if (m && hub[m[1]]) return send(200, hub[m[1]].zip);
  return send(404, 'not found', 'text/plain');
}

before(async () => {
  server = http.createServer(handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  for (const res of stalled) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

async function setup(name, options = {}) {
  const root = path.join(work, name);
  for (const d of ['root_skills', 'user_skills']) mkdirSync(path.join(root, d), { recursive: true });
  const engine = new LuaSkillsEngine({
    runtimeRoot: root,
    pool: { minSize: 0, maxSize: 1 },
    allowNetworkDownload: true,
    githubApiBaseUrl: `${base}/api`,
    githubBaseUrl: `${base}/gh`,
    officialSkillHubBaseUrl: `${base}/hub`,
    ...options,
  });
  await engine.loadFromRoots([{ name: 'ROOT', skills_dir: path.join(root, 'root_skills') }, { name: 'USER', skills_dir: path.join(root, 'user_skills') }]);
  return { root, engine };
}

const pkg = (id, version, text) => buildZip(skillEntries(id, version).map((e) => (e.name.endsWith('ping.lua') ? { ...e, data: `return function() return ${JSON.stringify(text)} end\n` } : e)));

test('github: install, up to date, update to a newer release, with download progress', async () => {
  releases.weather = { version: '1.0.0', zip: await pkg('weather', '1.0.0', 'sunny v1') };
  const { root, engine } = await setup('gh');
  const events = [];
  engine.on('skill-progress', (e) => events.push(e));
  const r = await engine.installSkill({ source: 'o/weather' });
  assert.deepEqual(r, {
    skill_id: 'weather', status: 'installed', message: "skill 'weather' 1.0.0 installed into root 'USER'",
    version: '1.0.0', source_type: 'github', source_locator: 'o/weather',
  });
  assert.equal((await engine.callSkill('weather-ping')).content, 'sunny v1');
  const download = events.filter((e) => e.phase === 'downloading_archive');
  assert.ok(download.length > 0);
  assert.equal(download.at(-1).bytes_done, releases.weather.zip.length);
  assert.equal(new Set(events.map((e) => e.operation_id)).size, 1);
  assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1));
  assert.match(readFileSync(path.join(root, 'state', 'installs', 'weather.yaml'), 'utf8'), /source_type: github/);
  assert.equal((await engine.updateSkill({ skill_id: 'weather' })).status, 'up_to_date');
  releases.weather = { version: '1.1.0', zip: await pkg('weather', '1.1.0', 'sunny v2') };
  const u = await engine.updateSkill({ skill_id: 'weather' });
  assert.equal(u.status, 'updated');
  assert.equal((await engine.callSkill('weather-ping')).content, 'sunny v2');
  await engine.close();
});

test('a checksum mismatch or a broken archive changes nothing', async () => {
  releases.stocks = { version: '1.0.0', zip: await pkg('stocks', '1.0.0', 'v1') };
  const { root, engine } = await setup('bad');
  await engine.installSkill({ source: 'https://github.com/o/stocks/' });
  const snapshot = () => [readdirSync(path.join(root, 'user_skills')), readFileSync(path.join(root, 'state', 'installs', 'stocks.yaml'), 'utf8'), engine.listEntries().map((e) => e.canonical_name)];
  const before = snapshot();
  releases.stocks = { version: '2.0.0', zip: await pkg('stocks', '2.0.0', 'v2'), checksum: 'f'.repeat(64) };
  await assert.rejects(engine.updateSkill({ skill_id: 'stocks' }), (err) => err.code === 'checksum_mismatch');
  releases.stocks = { version: '2.0.0', zip: Buffer.from('not a zip at all') };
  await assert.rejects(engine.updateSkill({ skill_id: 'stocks' }), (err) => err.code === 'archive_invalid');
  releases.stocks = { version: '2.0.0', zip: await buildZip([...skillEntries('stocks', '2.0.0'), { name: 'stocks/../evil.txt', data: 'x' }]) };
  await assert.rejects(engine.updateSkill({ skill_id: 'stocks' }), (err) => err.code === 'archive_invalid' && /evil/.test(err.message));
  releases.stocks = { version: '3.0.0', zip: await pkg('stocks', '2.5.0', 'lies') }; // manifest version differs from the release
  await assert.rejects(engine.updateSkill({ skill_id: 'stocks' }), (err) => err.code === 'manifest_invalid' && /does not match the resolved version '3\.0\.0'/.test(err.message));
  assert.deepEqual(snapshot(), before);
  assert.equal((await engine.callSkill('stocks-ping')).content, 'v1');
  for (const dir of ['install_tmp', 'update_tmp', 'update_backup']) {
    const p = path.join(root, 'state', dir);
    assert.deepEqual(existsSync(p) ? readdirSync(p) : [], [], dir);
  }
  await engine.close();
});

test('official hub installs; offline engines refuse every download', async () => {
  hub.translate = { version: '0.3.0', zip: await pkg('translate', '0.3.0', 'hola') };
  const { engine } = await setup('hub');
  const r = await engine.installSkill({ source: 'translate', source_type: 'official_hub' });
  assert.equal(r.status, 'installed');
  assert.equal((await engine.callSkill('translate-ping')).content, 'hola');
  await engine.close();
  releases.offline = { version: '1.0.0', zip: await pkg('offline', '1.0.0', 'x') };
  const off = await setup('offline', { allowNetworkDownload: false });
  await assert.rejects(off.engine.installSkill({ source: 'o/offline' }), (err) => err.code === 'network_disabled');
  assert.deepEqual(readdirSync(path.join(off.root, 'user_skills')), []);
  await off.engine.close();
});

test('a 500 and an aborted stalled download leave nothing behind', async () => {
  releases.broken = { version: '1.0.0', zip: Buffer.alloc(0) };
  releases.stall = { version: '1.0.0', zip: Buffer.alloc(0) };
  const { root, engine } = await setup('fail');
  await assert.rejects(engine.installSkill({ source: 'o/broken' }), (err) => err.code === 'download_failed' && /500/.test(err.message));
  const controller = new AbortController();
  const pending = engine.installSkill({ source: 'o/stall' }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 150);
  await assert.rejects(pending, (err) => err.code === 'cancelled');
  assert.deepEqual(readdirSync(path.join(root, 'user_skills')), []);
  const tmp = path.join(root, 'state', 'install_tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], []);
  assert.equal(existsSync(path.join(root, 'state', 'installs')), false);
  await engine.close();
});

test('private URL manifests: system plane, opt-in and allow-list', async () => {
  privateZip = await pkg('notes', '1.0.0', 'private notes');
  const denied = await setup('private-off');
  await assert.rejects(denied.engine.installSkill({ skill_id: 'notes', source: `${base}/private/notes.json`, source_type: 'private_url_manifest' }, { plane: 'system' }), (err) => err.code === 'refused');
  await denied.engine.close();
  const { engine } = await setup('private', { enablePrivateUrlSkillInstall: true, privateSkillSourceAllowlist: [`${base}/private/`] });
  await assert.rejects(engine.installSkill({ skill_id: 'notes', source: `${base}/private/notes.json`, source_type: 'private_url_manifest' }), (err) => err.code === 'refused'); // ordinary plane
  const r = await engine.installSkill({ skill_id: 'notes', source: `${base}/private/notes.json`, source_type: 'private_url_manifest' }, { plane: 'system' });
  assert.equal(r.message, "skill 'notes' 1.0.0 installed into root 'ROOT'");
  assert.equal((await engine.callSkill('notes-ping')).content, 'private notes');
  await engine.close();
});
