// The same app with wait_ready: it calls process.send('ready') once it listens.
module.exports = {
  apps: [{
    name: 'ready', script: __dirname + '/graceful.js', wait_ready: true, listen_timeout: 10000, kill_timeout: 5000,
    env: { SOCKET: '/work/http.sock', READY_MESSAGE: '1' },
  }],
};
