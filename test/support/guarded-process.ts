/**
 * A process with the app's guards installed that misbehaves as told (argv[2]): `stray` rejects a
 * promise nobody awaits and throws from a timer, then says it is still alive; `storm` throws from
 * eleven timers in a row. Logs go to stdout, one JSON line each; the guards' shutdown prints a line.
 */
import { createLogger } from '../../src/logger.js';
import { installProcessGuards } from '../../src/process-guards.js';

const log = createLogger('info', (line) => process.stdout.write(`${line}\n`));
installProcessGuards(log, (reason) => {
  process.stdout.write(`shutdown: ${reason}\n`);
  process.exit(1);
});

if (process.argv[2] === 'stray') {
  void Promise.reject(new Error('nobody awaited this'));
  setTimeout(() => {
    throw new Error('thrown from a timer');
  }, 10);
  setTimeout(() => process.stdout.write('still serving\n'), 100);
} else {
  for (let n = 1; n <= 11; n++)
    setTimeout(() => {
      throw new Error(`failure ${n}`);
    }, n);
  setTimeout(() => process.stdout.write('still serving\n'), 200);
}
