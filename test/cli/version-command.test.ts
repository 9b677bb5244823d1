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
});
