#!/usr/bin/env node
// The `luaskills` command: see docs/cli.md.
import { main } from '../dist/cli/main.js';

const code = await main(process.argv);
process.exitCode = code;
// Anything still holding the event loop (a stray handle) must not keep the command alive.
setTimeout(() => process.exit(code), 2000).unref();
