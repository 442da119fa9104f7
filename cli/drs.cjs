#!/usr/bin/env node
'use strict';
// `drs`: the project's command line. TypeScript runs through tsx, so `npx drs` works right after
// `npm ci` with no build step.
// tsx would otherwise keep a compile cache in the temporary directory (tsx-<uid>) after every run.
process.env.TSX_DISABLE_CACHE ??= '1';
require('tsx/cjs/api').register();
require('./main.ts');
