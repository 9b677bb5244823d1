// `npm run build:workflows`: bundles workflow code once so production workers skip webpack.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLE_PATH, WORKFLOWS_PATH } from './create-worker';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  fs.mkdirSync(path.dirname(PREBUILT_BUNDLE_PATH), { recursive: true });
  fs.writeFileSync(PREBUILT_BUNDLE_PATH, code);
  console.log(`Wrote ${PREBUILT_BUNDLE_PATH} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
