// An app that drains on SIGINT only, as PM2's graceful-stop guide has it;
// kill_timeout long enough for a 3 s request under both.
module.exports = {
  apps: [{ name: 'sigint', script: __dirname + '/graceful.js', kill_timeout: 5000, env: { SOCKET: '/work/http.sock' } }],
};
