// A JS heap leak: objects pushed into an array forever, until V8's heap
// limit (exit 134, "JavaScript heap out of memory") or the kernel's OOM kill.
'use strict';
const kept = [];
for (;;) kept.push({ a: Math.random(), b: [1, 2, 3] });
