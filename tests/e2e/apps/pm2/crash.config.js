// An app that crashes half a second after it starts (exit code 3); the
// script is found relative to cwd, as PM2 resolves it.
module.exports = {
  apps: [{
    name: 'crash',
    script: 'crash.js',
    cwd: __dirname,
  }],
};
