// Samples, every 2 ms until its standard input closes, whether the main threads of the given
// processes are idle (state S: sleeping, waiting for something) at the same moment, and prints
// {"samples":n,"allIdle":k,"idle":[...per pid]} on standard output. A child process of its own, so
// that sampling takes no time from the threads it watches. Usage: node idle-overlap-child.cjs PID...
'use strict';
const { readFileSync } = require('node:fs');

const pids = process.argv.slice(2).map(Number);
const idle = pids.map(() => 0);
let samples = 0;
let allIdle = 0;

/** The state letter of /proc/<pid>/task/<pid>/stat: the field after the parenthesised command name. */
function state(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
  } catch {
    return '?';
  }
}

const timer = setInterval(() => {
  let all = true;
  pids.forEach((pid, i) => {
    const asleep = state(pid) === 'S';
    if (asleep) idle[i] += 1;
    else all = false;
  });
  samples += 1;
  if (all) allIdle += 1;
}, 2);

process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(timer);
  process.stdout.write(`${JSON.stringify({ samples, allIdle, idle })}\n`);
});
