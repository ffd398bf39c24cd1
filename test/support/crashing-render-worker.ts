/** A render thread that dies on the first rows it gets, as one that runs out of memory would. */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (message: { type: string }) => {
  if (message.type === 'rows') process.exit(70);
});
