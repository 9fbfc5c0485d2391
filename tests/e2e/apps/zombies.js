// Spawns short-lived shells that background a child and exit at once: each
// background child is orphaned to PID 1, which must reap it. SLEEP is the
// sleep command (busybox's in the e2e root filesystem, the image's own elsewhere).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

const count = Number(process.argv[2] || 100);
const sleep = process.env.SLEEP || '/bin/busybox sleep';
for (let i = 0; i < count; i += 1) {
  spawnSync('/bin/sh', ['-c', `${sleep} 0.05 & exit 0`], { stdio: 'ignore' });
}
fs.writeFileSync('/work/spawned', `${count}\n`);
console.log(`spawned ${count} orphans`);
setInterval(() => {}, 1000);
