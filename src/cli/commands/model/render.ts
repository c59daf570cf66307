import type { ModelView, PromotionOutcome, VersionView } from '../../../registry/index.js';

/** Text for `model show`. */
export function renderShow(view: ModelView | VersionView): string {
  const aliases = Object.entries(view.aliases)
    .map(([alias, version]) => `${alias} → ${version}`)
    .join(', ');
  if (!('digest' in view)) {
    return [
      `${view.name}: ${view.versions.length} version(s); aliases: ${aliases || 'none'}`,
      ...view.versions.map(
        (v) =>
          `  @${v.version}  ${v.digest}  by ${v.createdBy} at ${v.createdAt}${v.quarantined ? '  QUARANTINED' : ''}`,
      ),
    ].join('\n');
  }
  return [
    `${view.name}@${view.version}  ${view.digest}`,
    `  registered by ${view.createdBy} at ${view.createdAt}`,
    `  aliases here: ${view.aliasesHere.join(', ') || 'none'} (model aliases: ${aliases || 'none'})`,
    `  scan: ${view.scan.verdict} (SARIF ${view.scan.sarif})`,
    `  datasets: ${view.datasets.map((d) => `${d.name}@${d.sequence}`).join(', ') || 'none'}`,
    ...(view.quarantine === null
      ? []
      : [`  QUARANTINED by ${view.quarantine.by}: ${view.quarantine.reason}`]),
    `  files (${view.files.length}):`,
    ...view.files.map((f) => `    ${f.path}  ${f.size} B  ${f.digest}`),
    ...view.requests.map(
      (r) =>
        `  request ${r.id} → ${r.alias}: ${r.state}${r.reviews.length === 0 ? '' : ` (${r.reviews.map((x) => `${x.decision} by ${x.principal} as ${x.role}`).join('; ')})`}`,
    ),
  ].join('\n');
}

/** Text for a promotion step. */
export function renderPromotion(outcome: PromotionOutcome): string {
  const target = `${outcome.name}@${outcome.version} → ${outcome.alias}`;
  if (outcome.moved) return `Request ${outcome.request}: ${target} approved; the alias moved.`;
  const pending = Object.entries(outcome.pending)
    .map(([role, count]) => `${count} × ${role}`)
    .join(', ');
  return `Request ${outcome.request}: ${target} is ${outcome.state}${pending === '' ? '' : `; still needs ${pending}`}.`;
}
