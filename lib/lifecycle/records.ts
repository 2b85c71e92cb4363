// The lifecycle records of one skill root, under its state directory
// (`<skills_dir>/../<state>`): install records `installs/<id>.yaml` (managed installs, which
// alone can update) and disabled records `skills/disabled/<id>.json`.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { parse, stringify } from 'yaml';

import { disabledRecordPath } from '../skills/roots.js';

/** Upstream's install record. */
export interface InstallRecord {
  skill_id: string;
  version: string;
  managed: true;
  source: { source_type: string; locator: string; tag?: string };
  installed_at_unix_ms: number;
}

export function stateDir(skillsRoot: string, stateDirName: string): string {
  return path.join(path.dirname(path.resolve(skillsRoot)), stateDirName);
}

export function installRecordPath(skillsRoot: string, stateDirName: string, skillId: string): string {
  return path.join(stateDir(skillsRoot, stateDirName), 'installs', `${skillId}.yaml`);
}

export async function readInstallRecord(skillsRoot: string, stateDirName: string, skillId: string): Promise<InstallRecord | null> {
  let text: string;
  try {
    text = await readFile(installRecordPath(skillsRoot, stateDirName, skillId), 'utf8');
  } catch {
    return null;
  }
  const record = parse(text) as Partial<InstallRecord> | null;
  return record && record.managed === true && typeof record.version === 'string' ? (record as InstallRecord) : null;
}

export async function writeInstallRecord(skillsRoot: string, stateDirName: string, record: InstallRecord): Promise<void> {
  const file = installRecordPath(skillsRoot, stateDirName, record.skill_id);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, stringify(record));
}

export async function removeInstallRecord(skillsRoot: string, stateDirName: string, skillId: string): Promise<void> {
  await rm(installRecordPath(skillsRoot, stateDirName, skillId), { force: true });
}

export async function writeDisabledRecord(skillsRoot: string, stateDirName: string, skillId: string, reason: string | undefined): Promise<void> {
  const file = disabledRecordPath(skillsRoot, stateDirName, skillId);
  await mkdir(path.dirname(file), { recursive: true });
  const record: Record<string, unknown> = { skill_id: skillId };
  if (reason !== undefined) record.reason = reason;
  record.disabled_at_unix_ms = Date.now();
  await writeFile(file, JSON.stringify(record, null, 2));
}

export async function removeDisabledRecord(skillsRoot: string, stateDirName: string, skillId: string): Promise<void> {
  await rm(disabledRecordPath(skillsRoot, stateDirName, skillId), { force: true });
}
