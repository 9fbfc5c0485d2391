// The same app started the way many teams start theirs: `npm start`.
module.exports = {
  apps: [{
    name: 'npm', script: 'npm', args: 'start', cwd: __dirname + '/npm-app', kill_timeout: 5000,
    env: { SOCKET: '/work/http.sock', npm_config_cache: '/work/.npm', npm_config_update_notifier: 'false' },
  }],
};
