// A worker process of `npm run synth`: started by bin/cli/synth-pool.ts with an IPC channel, it receives one
// cloud's units (bin/cli/synth-unit.ts), synthesizes them one after another into the folders it is given, reports
// each, and exits. `node -r ./bin/register.js bin/cli/synth-worker.ts`.
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { testPause, testStep } from './output-swap';
import type { WorkerReply, WorkerRequest } from './synth-pool';
import { synthesizeUnit, type UnitFailure } from './synth-unit';

// A Ctrl-C or a closed terminal reaches every process of the terminal's group: the synthesis that started this
// one acts on it and stops its workers, removing what they wrote. Other signals end a worker as usual.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);

watchParent();

process.once('message', (request: WorkerRequest) => void run(request));

async function run(request: WorkerRequest): Promise<void> {
  for (const unit of request.units) {
    if (!process.connected) break;
    await testPause(`unit:${unit.id}`);
    testStep(`unit:${unit.id}`);
    let reply: WorkerReply;
    try {
      const result = await synthesizeUnit({
        ...(unit.delivery
          ? { delivery: unit.delivery }
          : { environment: unit.environment, ...(unit.deliveredBy && { deliveredBy: unit.deliveredBy }) }),
        cloud: unit.cloud,
        outdir: unit.outdir,
        validation: request.validation,
      });
      reply = { id: unit.id, ok: true, result };
    } catch (caught) {
      const error: UnitFailure = caught instanceof Error ? caught : new Error(String(caught));
      reply = {
        id: unit.id,
        ok: false,
        error: {
          name: error.name,
          message: error.message,
          ...(error.stack !== undefined && { stack: error.stack }),
          ...(error.validationOrder && { validationOrder: error.validationOrder }),
        },
      };
    }
    if (!process.connected) {
      // The synthesis that asked for it is gone: what this unit wrote is nobody's.
      fs.rmSync(unit.outdir, { recursive: true, force: true });
      break;
    }
    await new Promise<void>((resolve) => process.send!(reply, undefined, {}, () => resolve()));
  }
  if (process.connected) {
    const usage = process.resourceUsage();
    const stats = { maxRssKiB: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 };
    await new Promise<void>((resolve) =>
      process.send!({ stats } satisfies WorkerReply, undefined, {}, () => resolve()),
    );
    process.disconnect();
  }
}

/**
 * Ends this process within 50 ms of the exit of the synthesis that started it, even in the middle of the
 * synchronous synthesis (which keeps the event loop, and so the IPC channel's disconnect event, waiting for
 * seconds): a thread of its own watches the parent process id, which changes when the parent exits.
 */
function watchParent(): void {
  const watcher = new Worker(
    `const p = require('node:process');
     const parent = ${process.ppid};
     const sleep = new Int32Array(new SharedArrayBuffer(4));
     for (;;) {
       Atomics.wait(sleep, 0, 0, 50);
       if (p.ppid !== parent) p.kill(p.pid, 'SIGKILL');
     }`,
    { eval: true },
  );
  watcher.unref();
}
