// The URIs of skill help resources: `luaskills://help/<skill_id>/<flow>`, flow `main` or a topic.

/** The RFC 6570 template of help resources. */
export const HELP_URI_TEMPLATE = 'luaskills://help/{skill_id}/{flow}';

const PREFIX = 'luaskills://help/';

/** The URI of one help flow. */
export function helpUri(skillId: string, flow: string): string {
  return `${PREFIX}${encodeURIComponent(skillId)}/${encodeURIComponent(flow)}`;
}

/** The skill id and flow of a help URI, or null when `uri` is not one. */
export function parseHelpUri(uri: string): { skillId: string; flow: string } | null {
  if (!uri.startsWith(PREFIX)) return null;
  const parts = uri.slice(PREFIX.length).split('/');
  if (parts.length !== 2) return null;
  try {
    const [skillId, flow] = parts.map((p) => decodeURIComponent(p));
    if (!skillId || !flow) return null;
    return { skillId, flow };
  } catch {
    return null;
  }
}
