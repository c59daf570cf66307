/**
 * The SARIF 2.1.0 envelope every Rampart report uses (scanner, dependency audit): one run, the
 * rules the run used, one result per finding, problems as tool execution notifications — so one
 * code-scanning upload takes any of them.
 */

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** What differs between reports; the rest of the log is the same. */
export interface SarifRun {
  /** Rampart's version. */
  readonly version: string;
  /** The report's documentation. */
  readonly informationUri: string;
  readonly rules: readonly object[];
  /** Problems that kept the tool from checking something (executionSuccessful is false). */
  readonly notifications: readonly object[];
  readonly results: readonly object[];
}

/** A SARIF 2.1.0 log of one run by the `rampart` driver. */
export function sarifLog(run: SarifRun): object {
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'rampart',
            version: run.version,
            informationUri: run.informationUri,
            rules: run.rules,
          },
        },
        invocations: [
          {
            executionSuccessful: run.notifications.length === 0,
            toolExecutionNotifications: run.notifications,
          },
        ],
        results: run.results,
      },
    ],
  };
}

/** A path as a SARIF artifact URI: absolute paths become file:// URIs, each segment encoded. */
export function sarifUri(file: string): string {
  const posix = file.split('\\').join('/');
  const encoded = posix.split('/').map(encodeURIComponent).join('/');
  return posix.startsWith('/') ? `file://${encoded}` : encoded;
}
