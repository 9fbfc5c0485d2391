// An ecosystem file as Node teams write it: the example server, no kill_timeout.
module.exports = {
  apps: [{
    name: 'server',
    script: '/app/server.js',
    env: { SOCKET: '/work/http.sock' },
  }],
};
