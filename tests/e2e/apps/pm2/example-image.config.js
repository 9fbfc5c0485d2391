// The example image's server (docker/Dockerfile puts it at /app/dist/index.js),
// as a PM2 ecosystem file with no kill_timeout.
module.exports = {
  apps: [{
    name: 'server',
    script: 'dist/index.js',
    cwd: '/app',
    env: { SOCKET: '/work/http.sock' },
  }],
};
