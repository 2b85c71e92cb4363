// Source resolution and downloads against real loopback HTTP servers: GitHub-shaped release API
// with checksums, an official Hub resolve endpoint, private manifests and their allow-list, the
// url refusal, network policy, broken transfers and retry, HTTP errors, checksum mismatch,
// cancellation, redirects, the size cap and the download cache.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  downloadToCache,
  downloadToFile,
  fetchSkillArchive,
  parseSkillSourceManifest,
  prepareSkillPackage,
  resolveRequestedSkillId,
  resolveSkillSource,
} from '../dist/index.js';
import { buildZip, skillEntries } from './helpers/zip.mjs';

const sha = (buffer) => createHash('sha256').update(buffer).digest('hex');
let server;
let base;
let zip;
let zipSha;
const hits = new Map();
let stalled = [];

function count(route) {
  hits.set(route, (hits.get(route) ?? 0) + 1);
  return hits.get(route);
}

function manifest(archiveUrl, extra = '') {
  return `skill_id: demo\nversion: 1.0.0\narchive:\n  type: zip\n  url: ${archiveUrl}\n  sha256: ${zipSha.toUpperCase()}\n${extra}`;
}

function handler(req, res) {
  const url = new URL(req.url, base);
  const route = url.pathname;
  const n = count(route);
  const send = (status, body, type = 'application/octet-stream') => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  switch (route) {
    case '/api/repos/o/demo/releases/latest':
      return send(200, JSON.stringify({
        tag_name: 'v1.0.0',
        assets: [
          { name: 'demo-v1.0.0-skill.zip', browser_download_url: 'https://github.com/o/demo/releases/download/v1.0.0/demo-v1.0.0-skill.zip' },
          { name: 'demo-v1.0.0-checksums.txt', browser_download_url: 'https://github.com/o/demo/releases/download/v1.0.0/demo-v1.0.0-checksums.txt' },
        ],
      }), 'application/json');
    case '/api/repos/o/nochecks/releases/latest':
      return send(200, JSON.stringify({ tag_name: '2.0.0', assets: [{ name: 'nochecks-v2.0.0-skill.zip', browser_download_url: `${base}/files/demo.zip` }] }));
    case '/gh/o/demo/releases/download/v1.0.0/demo-v1.0.0-skill.zip':
    case '/files/demo.zip':
    case '/private/demo.zip':
      return send(200, zip);
    case '/gh/o/demo/releases/download/v1.0.0/demo-v1.0.0-checksums.txt':
      return send(200, `${sha('other')}  other.zip\n${zipSha} *demo-v1.0.0-skill.zip\n`, 'text/plain');
    case '/hub/api/v1/skills/demo/resolve':
      assert.equal(url.searchParams.get('version'), 'latest');
      return send(200, manifest(`${base}/files/demo.zip`, 'update:\n  source_type: official_hub\n  locator: demo\n  tag: v1.0.0\n'), 'application/yaml');
    case '/private/demo.json':
      return send(200, JSON.stringify({ skill_id: 'demo', version: '1.0.0', archive: { archive_type: 'zip', url: `${base}/private/demo.zip`, sha256: zipSha } }));
    case '/private/outside.json':
      return send(200, JSON.stringify({ skill_id: 'demo', version: '1.0.0', archive: { type: 'zip', url: `${base}/files/demo.zip`, sha256: zipSha } }));
    case '/private/redirect.json':
      res.writeHead(302, { location: '/files/manifest.json' });
      return res.end();
    case '/redirect.zip':
      res.writeHead(302, { location: '/hop.zip' });
      return res.end();
    case '/hop.zip':
      res.writeHead(301, { location: '/files/demo.zip' });
      return res.end();
    case '/drop-once.zip':
    case '/drop-always.zip':
      if (route === '/drop-always.zip' || n === 1) {
        res.writeHead(200, { 'content-length': zip.length });
        res.write(zip.subarray(0, Math.floor(zip.length / 2)));
        setImmediate(() => req.socket.destroy());
        return undefined;
      }
      return send(200, zip);
    case '/error.zip':
      return send(500, 'boom', 'text/plain');
    case '/missing.zip':
      return send(404, 'nope', 'text/plain');
    case '/slow.zip':
      res.writeHead(200, { 'content-length': zip.length });
      res.write(zip.subarray(0, 100));
      stalled.push(res);
      return undefined;
    default:
      return send(404, 'not found', 'text/plain');
  }
}

before(async () => {
  zip = await buildZip(skillEntries('demo', '1.0.0'));
  zipSha = sha(zip);
  server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  for (const res of stalled) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function dirs() {
  const root = mkdtempSync(path.join(tmpdir(), 'luaskills-sources-'));
  return { root, cacheDir: path.join(root, 'cache'), stagingDir: path.join(root, 'staging') };
}

const online = () => ({
  plane: 'system',
  allowNetworkDownload: true,
  githubApiBaseUrl: `${base}/api/`,
  githubBaseUrl: `${base}/gh`,
  officialSkillHubBaseUrl: `${base}/hub/`,
  enablePrivateUrlSkillInstall: true,
  privateSkillSourceAllowlist: [`${base}/private/`],
});

test('skill id derivation and request refusals use upstream texts', async () => {
  assert.equal(resolveRequestedSkillId({ source: 'owner/demo' }), 'demo');
  assert.equal(resolveRequestedSkillId({ source: 'https://github.com/owner/demo/' }), 'demo');
  assert.equal(resolveRequestedSkillId({ source: 'skill-search', source_type: 'official_hub' }), 'skill-search');
  assert.equal(resolveRequestedSkillId({ source: '/x/y/demo-v1.2.0-skill.zip', source_type: 'local_zip' }), 'demo');
  assert.equal(resolveRequestedSkillId({ source: '/x/y/my-skill/', source_type: 'local_dir' }), 'my-skill');
  assert.throws(() => resolveRequestedSkillId({ source_type: 'private_url_manifest', source: `${base}/private/demo.json` }), {
    code: 'invalid_request',
    message: 'install/update request requires skill_id or one source that can derive it',
  });
  assert.throws(() => resolveRequestedSkillId({ source: 'owner/Bad_Name' }), { message: 'derived github skill_id must match ^[a-z]([a-z0-9-]*[a-z0-9])?$' });
  assert.throws(() => resolveRequestedSkillId({ source: 'a/b/c' }), { message: "github source 'a/b/c' must be one repository locator in owner/repo form" });
  assert.throws(() => resolveRequestedSkillId({ skill_id: 'demo', source_type: 'ftp' }), { code: 'invalid_request', message: /unknown source_type 'ftp'/ });
  await assert.rejects(resolveSkillSource({ skill_id: 'other', source: 'o/demo' }, online()), {
    code: 'invalid_request',
    message: "github repository 'o/demo' resolves to skill_id 'demo' but the request targets 'other'",
  });
  await assert.rejects(resolveSkillSource({ skill_id: 'demo', source: 'https://example.com/demo.yaml', source_type: 'url' }, online()), {
    code: 'refused',
    message: 'public URL skill install is disabled by source policy; use github, official_hub, or a host-private system manifest',
  });
  await assert.rejects(resolveSkillSource({ source: 'demo', source_type: 'official_hub' }, { ...online(), officialSkillHubBaseUrl: ' ' }), {
    code: 'refused',
    message: 'official_hub install requires host option official_skill_hub_base_url',
  });
});

test('github: release metadata, checksums file, github_base_url rewrite, then prepare stages the package', async () => {
  const source = await resolveSkillSource({ source: 'https://github.com/o/demo' }, online());
  assert.deepEqual(source, {
    skill_id: 'demo',
    version: '1.0.0',
    source_type: 'github',
    locator: 'o/demo',
    tag: 'v1.0.0',
    archive: {
      url: `${base}/gh/o/demo/releases/download/v1.0.0/demo-v1.0.0-skill.zip`,
      sha256: zipSha,
      checksumsUrl: `${base}/gh/o/demo/releases/download/v1.0.0/demo-v1.0.0-checksums.txt`,
      assetName: 'demo-v1.0.0-skill.zip',
      cacheKey: 'skill-demo-1.0.0',
    },
  });
  const d = dirs();
  const events = [];
  const staged = await prepareSkillPackage({ source: 'o/demo' }, online(), { ...d, onProgress: (e) => events.push(e) });
  assert.equal(staged.skillDir, path.join(d.stagingDir, 'demo'));
  assert.equal(staged.archiveSha256, zipSha);
  assert.ok(existsSync(path.join(staged.skillDir, 'skill.yaml')));
  assert.ok(existsSync(path.join(d.cacheDir, 'skill-demo-1.0.0.zip')));
  const phases = [...new Set(events.map((e) => e.phase))];
  assert.deepEqual(phases, ['resolving_source', 'fetching_manifest', 'source_resolved', 'downloading_archive', 'extracting_archive']);
  const last = events.filter((e) => e.phase === 'downloading_archive').at(-1);
  assert.deepEqual([last.status, last.bytes_done, last.bytes_total, last.percent], ['progress', zip.length, zip.length, 100]);

  // The same version again comes from the cache, reported as `cached`, without a new request.
  const before = hits.get('/gh/o/demo/releases/download/v1.0.0/demo-v1.0.0-skill.zip');
  const again = [];
  const second = await prepareSkillPackage({ source: 'o/demo' }, online(), { ...dirs(), cacheDir: d.cacheDir, onProgress: (e) => again.push(e) });
  assert.equal(second.cached, true);
  assert.equal(hits.get('/gh/o/demo/releases/download/v1.0.0/demo-v1.0.0-skill.zip'), before);
  assert.deepEqual(again.filter((e) => e.phase === 'downloading_archive').map((e) => e.status), ['cached']);

  await assert.rejects(resolveSkillSource({ source: 'o/nochecks' }, online()), {
    code: 'source_unresolved',
    message: "GitHub release 2.0.0 does not contain checksum asset 'nochecks-v2.0.0-checksums.txt'",
  });
  await assert.rejects(resolveSkillSource({ source: 'o/absent' }, online()), { code: 'download_failed', message: /HTTP 404/ });
});

test('official hub: resolve manifest with sha256, tag kept from the update block', async () => {
  const source = await resolveSkillSource({ skill_id: 'demo', source_type: 'official_hub' }, online());
  assert.equal(source.locator, 'demo');
  assert.equal(source.version, '1.0.0');
  assert.equal(source.tag, 'v1.0.0');
  assert.equal(source.archive.sha256, zipSha);
  assert.equal(source.archive.url, `${base}/files/demo.zip`);
  const fetched = await fetchSkillArchive(source, { cacheDir: dirs().cacheDir, allowNetworkDownload: true });
  assert.equal(fetched.kind, 'zip');
  assert.equal(fetched.sha256, zipSha);
  await assert.rejects(resolveSkillSource({ skill_id: 'demo', source: 'other', source_type: 'official_hub' }, online()), {
    message: "official_hub source 'other' does not match requested skill_id 'demo'",
  });
});

test('private manifests: system plane, opt-in and allow-list for the manifest, its archive and redirects', async () => {
  const request = { skill_id: 'demo', source: `${base}/private/demo.json`, source_type: 'private_url_manifest' };
  const source = await resolveSkillSource(request, online());
  assert.equal(source.archive.url, `${base}/private/demo.zip`);
  assert.deepEqual(source.archive.allowedUrlPrefixes, [`${base}/private/`]);
  const staged = await prepareSkillPackage(request, online(), dirs());
  assert.ok(existsSync(path.join(staged.skillDir, 'runtime/ping.lua')));

  await assert.rejects(resolveSkillSource(request, { ...online(), plane: 'skills' }), {
    code: 'refused', message: 'private_url_manifest install is restricted to host system authority',
  });
  await assert.rejects(resolveSkillSource(request, { ...online(), enablePrivateUrlSkillInstall: false }), {
    code: 'refused', message: 'private_url_manifest install is disabled by host source policy',
  });
  await assert.rejects(resolveSkillSource(request, { ...online(), privateSkillSourceAllowlist: [`${base}/priv`] }), {
    code: 'refused', message: `private_url_manifest source '${base}/private/demo.json' is not allowed by host source policy`,
  });
  await assert.rejects(resolveSkillSource({ ...request, source: `${base}/private/outside.json` }, online()), {
    code: 'refused', message: `private_url_manifest archive '${base}/files/demo.zip' is not allowed by host source policy`,
  });
  await assert.rejects(resolveSkillSource({ ...request, source: `${base}/private/redirect.json` }, online()), {
    code: 'refused', message: /redirected to .*\/files\/manifest\.json, which is not allowed/,
  });
});

test('source manifests: YAML or JSON, archive_type alias, errors name the field', () => {
  const ok = parseSkillSourceManifest(JSON.stringify({ skill_id: 'demo', version: '1.0.0', archive: { archive_type: 'zip', url: 'u', sha256: 'x' } }), 'origin');
  assert.equal(ok.archive.type, 'zip');
  assert.throws(() => parseSkillSourceManifest('skill_id: demo\nversion: 1.0.0\narchive:\n  type: zip\n  url: u\n', 'https://m'), {
    code: 'manifest_invalid', message: "Failed to parse skill source manifest from https://m: missing field 'archive.sha256'",
  });
  assert.throws(() => parseSkillSourceManifest('skill_id: demo\nversion: 1.0.0\narchive:\n  type: zip\n  url: u\n  sha256: 5\n', 'o'), {
    message: 'Failed to parse skill source manifest from o: archive.sha256: Expected string',
  });
});

test('hub manifest checks: wrong id, bad sha256, non-zip archives', async () => {
  const check = async (body, message) => {
    const srv = http.createServer((req, res) => res.end(body));
    await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const hub = `http://127.0.0.1:${srv.address().port}`;
    try {
      await assert.rejects(resolveSkillSource({ source: 'demo', source_type: 'official_hub' }, { ...online(), officialSkillHubBaseUrl: hub }), {
        code: 'manifest_invalid', message,
      });
    } finally {
      srv.closeAllConnections();
      await new Promise((resolve) => srv.close(resolve));
    }
  };
  await check(`skill_id: other\nversion: 1.0.0\narchive: {type: zip, url: ${base}/x.zip, sha256: ${zipSha}}\n`, "source manifest resolves to skill_id 'other' instead of 'demo'");
  await check(`skill_id: demo\nversion: 1.0.0\narchive: {type: zip, url: ${base}/x.zip, sha256: abc}\n`, 'source manifest archive.sha256 must be one valid SHA-256 value');
  await check(`skill_id: demo\nversion: 1.0.0\narchive: {type: tar_gz, url: ${base}/x.zip, sha256: ${zipSha}}\n`, "source manifest archive type 'tar_gz' is not supported; expected zip");
});

test('allow_network_download false refuses every download, even a cache hit', async () => {
  const offline = { ...online(), allowNetworkDownload: false };
  await assert.rejects(resolveSkillSource({ source: 'o/demo' }, offline), { code: 'network_disabled', message: 'network download is disabled by host policy' });
  await assert.rejects(resolveSkillSource({ source: 'demo', source_type: 'official_hub' }, offline), { code: 'network_disabled' });
  await assert.rejects(downloadToFile(`${base}/files/demo.zip`, path.join(dirs().root, 'x.zip'), { allowNetwork: false }), { code: 'network_disabled' });
});

test('a transfer dropped once is retried; dropped every time it fails with download_failed', async () => {
  const d = dirs();
  const target = path.join(d.root, 'once.zip');
  const result = await downloadToFile(`${base}/drop-once.zip`, target, { allowNetwork: true, expectedSha256: zipSha });
  assert.equal(result.sha256, zipSha);
  assert.equal(hits.get('/drop-once.zip'), 2);
  assert.deepEqual(readFileSync(target), zip);

  const failed = path.join(d.root, 'always.zip');
  await assert.rejects(downloadToFile(`${base}/drop-always.zip`, failed, { allowNetwork: true }), {
    code: 'download_failed', message: /after 2 attempts/,
  });
  assert.equal(hits.get('/drop-always.zip'), 2);
  assert.deepEqual(readdirSync(d.root), ['once.zip']);
});

test('HTTP errors are not retried and name the status', async () => {
  const d = dirs();
  await assert.rejects(downloadToFile(`${base}/error.zip`, path.join(d.root, 'e.zip'), { allowNetwork: true }), {
    code: 'download_failed', message: `Failed to download ${base}/error.zip: HTTP 500 Internal Server Error`,
  });
  assert.equal(hits.get('/error.zip'), 1);
  assert.deepEqual(readdirSync(d.root), []);
});

test('checksum mismatch fails and leaves nothing behind', async () => {
  const d = dirs();
  const wrong = sha('something else');
  await assert.rejects(downloadToFile(`${base}/files/demo.zip`, path.join(d.root, 'm.zip'), { allowNetwork: true, expectedSha256: wrong }), {
    code: 'checksum_mismatch', message: `Checksum mismatch for ${base}/files/demo.zip: expected ${wrong}, got ${zipSha}`,
  });
  assert.deepEqual(readdirSync(d.root), []);
});

test('a stalled server is cancelled through the signal', async () => {
  const d = dirs();
  const controller = new AbortController();
  await assert.rejects(
    downloadToFile(`${base}/slow.zip`, path.join(d.root, 's.zip'), {
      allowNetwork: true,
      signal: controller.signal,
      onProgress: (done) => {
        if (done > 0) controller.abort();
      },
    }),
    { code: 'cancelled', message: `download of ${base}/slow.zip was cancelled` },
  );
  assert.equal(hits.get('/slow.zip'), 1);
  assert.deepEqual(readdirSync(d.root), []);
});

test('redirects are followed', async () => {
  const d = dirs();
  const result = await downloadToFile(`${base}/redirect.zip`, path.join(d.root, 'r.zip'), { allowNetwork: true, expectedSha256: zipSha });
  assert.equal(result.bytes, zip.length);
  assert.equal(hits.get('/hop.zip'), 1);
});

test('the size cap refuses a larger download', async () => {
  const d = dirs();
  await assert.rejects(downloadToFile(`${base}/files/demo.zip`, path.join(d.root, 'big.zip'), { allowNetwork: true, maxBytes: 100 }), {
    code: 'download_failed', message: /exceeds the limit of 100 bytes/,
  });
  assert.deepEqual(readdirSync(d.root), []);
});

test('download cache: a matching file is reused, a stale one replaced', async () => {
  const d = dirs();
  const url = `${base}/files/demo.zip`;
  const statuses = [];
  const onProgress = (done, total, status) => statuses.push(status);
  const first = await downloadToCache(url, { allowNetwork: true, cacheDir: d.cacheDir, cacheKey: 'skill-demo-1.0.0+b.1', expectedSha256: zipSha, onProgress });
  assert.equal(first.cached, false);
  assert.equal(path.basename(first.path), 'skill-demo-1.0.0-b.1.zip');
  const hitsBefore = hits.get('/files/demo.zip');
  statuses.length = 0;
  const second = await downloadToCache(url, { allowNetwork: true, cacheDir: d.cacheDir, cacheKey: 'skill-demo-1.0.0+b.1', expectedSha256: zipSha, onProgress });
  assert.deepEqual([second.cached, statuses], [true, ['cached']]);
  assert.equal(hits.get('/files/demo.zip'), hitsBefore);
  writeFileSync(first.path, 'corrupted');
  const third = await downloadToCache(url, { allowNetwork: true, cacheDir: d.cacheDir, cacheKey: 'skill-demo-1.0.0+b.1', expectedSha256: zipSha });
  assert.equal(third.cached, false);
  assert.deepEqual(readFileSync(first.path), zip);
});

test('local_zip and local_dir install without a network; a published checksums file is honoured', async () => {
  const d = dirs();
  const offline = { plane: 'skills', allowNetworkDownload: false };
  const zipPath = path.join(d.root, 'demo-v1.0.0-skill.zip');
  writeFileSync(zipPath, zip);
  const fromZip = await prepareSkillPackage({ source: zipPath, source_type: 'local_zip' }, offline, { cacheDir: d.cacheDir, stagingDir: path.join(d.root, 'a') });
  assert.equal(fromZip.source.version, '1.0.0');
  assert.ok(existsSync(path.join(fromZip.skillDir, 'skill.yaml')));

  writeFileSync(path.join(d.root, 'demo-v1.0.0-checksums.txt'), `${sha('x')}  demo-v1.0.0-skill.zip\n`);
  await assert.rejects(prepareSkillPackage({ source: zipPath, source_type: 'local_zip' }, offline, { cacheDir: d.cacheDir, stagingDir: path.join(d.root, 'b') }), {
    code: 'checksum_mismatch',
  });

  const folder = fromZip.skillDir;
  const fromDir = await prepareSkillPackage({ source: folder, source_type: 'local_dir' }, offline, { cacheDir: d.cacheDir, stagingDir: path.join(d.root, 'c') });
  assert.equal(fromDir.files, 2);
  assert.equal(readFileSync(path.join(fromDir.skillDir, 'runtime/ping.lua'), 'utf8'), readFileSync(path.join(folder, 'runtime/ping.lua'), 'utf8'));
  const empty = path.join(d.root, 'empty-skill');
  mkdirSync(empty);
  await assert.rejects(prepareSkillPackage({ source: empty, source_type: 'local_dir' }, offline, { cacheDir: d.cacheDir, stagingDir: path.join(d.root, 'd') }), {
    code: 'source_unresolved', message: /does not contain skill.yaml/,
  });
  await assert.rejects(resolveSkillSource({ source: path.join(d.root, 'nope'), source_type: 'local_dir' }, offline), { code: 'source_unresolved' });
});
