#!/usr/bin/env node
'use strict';
// `drs`: the project's command line. TypeScript runs through tsx, so `npx drs` works right after
// `npm ci` with no build step.
// tsx would otherwise keep a compile cache in the temporary directory (tsx-<uid>) after every run.
process.env.TSX_DISABLE_CACHE ??= '1';
// The AWS SDK's notice that its 2027 releases need Node 22 (the documented runtime; Lambda runs
// nodejs22.x). On Node 20, where CI still runs, it would be printed by every drs command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs/api').register();
require('./main.ts');
