import { describe, expect, it } from 'vitest';
import temporalClient from '@temporalio/client/package.json';
import stagecoach from '../../package.json';
import { runCli } from '../support/run-cli';

// An operator's first line in a ticket: which Stagecoach, on which SDK and Node.js; no server is needed for it.
describe('stagecoach version', () => {
  it('prints the installed versions, as text and as JSON, without a server', async () => {
    const text = await runCli(['version'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      `stagecoach ${stagecoach.version} (Temporal TypeScript SDK ${temporalClient.version}, Node.js ${process.versions.node})\n`,
    );
    const json = await runCli(['version', '--json']);
    expect(json.code).toBe(0);
    expect(json.json()).toEqual({
      stagecoach: stagecoach.version,
      temporalSdk: temporalClient.version,
      node: process.versions.node,
    });
  });

  it('-o json prints what --json prints (its alias); an unknown format is a usage error', async () => {
    const [o, alias] = await Promise.all([runCli(['-o', 'json', 'version']), runCli(['--json', 'version'])]);
    expect(o.code).toBe(0);
    expect(o.stdout).toBe(alias.stdout);
    const yaml = await runCli(['-o', 'yaml', 'version']);
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toContain("argument 'yaml' is invalid. Allowed choices are text, json, jsonl");
  });
});
