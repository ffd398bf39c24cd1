/** `npm run demo`: plays two weeks of a sample firm and prints what everyone saw. */
import { join } from 'node:path';
import { projectRoot } from '../src/project-root.js';
import { runDemo } from './run-demo.js';

const outputDir = join(projectRoot(), 'demo-output');
const started = performance.now();
const { transcript, files } = await runDemo(outputDir);
process.stdout.write(transcript);
process.stdout.write(
  `\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s. The transcript and ${files.length} files are in ${outputDir}.\n`,
);
