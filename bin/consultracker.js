#!/usr/bin/env node
// The package's command line; `npm run build` compiles what it runs.
import { main } from '../dist/src/cli/main.js';

await main();
