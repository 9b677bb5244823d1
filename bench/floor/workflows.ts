// The least a workflow can cost: started by signal-with-start, one task, done. bench:deploy runs
// N of these on its server to show the orchestration floor per tenant on this machine.
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const floorSignal = defineSignal<[number]>('floor');

export async function floorWorkflow(): Promise<number> {
  let received: number | undefined;
  setHandler(floorSignal, (n) => {
    received = n;
  });
  await condition(() => received !== undefined);
  return received!;
}
