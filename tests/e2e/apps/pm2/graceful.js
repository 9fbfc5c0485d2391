// The example server as an app written to PM2's guides: it drains on SIGINT
// only (PM2's stop signal) and, with READY_MESSAGE set (wait_ready), tells
// its manager it listens with process.send('ready').
const fs = require('fs');
const http = require('http');
if (process.env.READY_MESSAGE) {
  const listen = http.Server.prototype.listen;
  http.Server.prototype.listen = function (...args) {
    this.once('listening', () => process.send('ready'));
    return listen.apply(this, args);
  };
}
// The podman suite's root filesystem has it at /app/server.js, the example image at /app/dist/index.js.
require(fs.existsSync('/app/dist/index.js') ? '/app/dist/index.js' : '/app/server.js');
process.removeAllListeners('SIGTERM');
