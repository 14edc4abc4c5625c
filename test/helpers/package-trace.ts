import { register } from 'node:module';

// Loaded with `node --import` into a server under test: records each npm
// package the process loads (see package-trace-hooks.ts).
register('./package-trace-hooks.js', import.meta.url);
