/** Prometheus text exposition of the canary controller's state. */
import { DEPLOYMENT_STATES, type Deployment } from './deployments.js';

/** Counters kept by the controller: model → transition or window outcome → count. */
export interface CanaryCounters {
  readonly transitions: Map<string, Map<string, number>>;
  readonly windows: Map<string, Map<string, number>>;
}

/** The metric families (docs/canary.md lists them). */
export function canaryMetricsText(
  deployments: readonly Deployment[],
  counters: CanaryCounters,
): string {
  const lines = [
    "# HELP rampart_canary_weight The canary's share of traffic in percent, per served model.",
    '# TYPE rampart_canary_weight gauge',
    ...deployments.map(
      (d) =>
        `rampart_canary_weight{model="${label(d.model)}"} ${d.state === 'running' || d.state === 'promoted' ? d.weight : 0}`,
    ),
    '# HELP rampart_canary_state 1 for the state each deployment is in, 0 for the others.',
    '# TYPE rampart_canary_state gauge',
    ...deployments.flatMap((d) =>
      DEPLOYMENT_STATES.map(
        (state) =>
          `rampart_canary_state{model="${label(d.model)}",state="${state}"} ${d.state === state ? 1 : 0}`,
      ),
    ),
    '# HELP rampart_canary_transitions_total Steps, promotions and rollbacks this process applied.',
    '# TYPE rampart_canary_transitions_total counter',
    ...series(counters.transitions, 'rampart_canary_transitions_total', 'transition'),
    '# HELP rampart_canary_windows_total Evaluation windows judged by this process, by outcome.',
    '# TYPE rampart_canary_windows_total counter',
    ...series(counters.windows, 'rampart_canary_windows_total', 'outcome'),
  ];
  return `${lines.join('\n')}\n`;
}

function series(counter: CanaryCounters['transitions'], name: string, key: string): string[] {
  return [...counter].flatMap(([model, byKey]) =>
    [...byKey].map(
      ([value, count]) => `${name}{model="${label(model)}",${key}="${value}"} ${count}`,
    ),
  );
}

// Served model names are already restricted to [a-z0-9._-]; escape anyway, per the format.
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
