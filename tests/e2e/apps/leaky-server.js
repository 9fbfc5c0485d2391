// The example server, leaking native memory (Buffers, outside the JS heap)
// at LEAK_MB_PER_S megabytes a second while it serves; the leak stops when
// the server starts draining (SIGTERM), so a test's request in flight may
// take as long as it likes.
'use strict';
require('./server.js');
const rate = Number(process.env.LEAK_MB_PER_S || 4);
const kept = [];
const leak = setInterval(() => kept.push(Buffer.alloc((rate << 20) / 10, 1)), 100);
process.on('SIGTERM', () => clearInterval(leak));
