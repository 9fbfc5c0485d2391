// For the --print round trip: every kind of value --print writes out, and a
// value (a line break) that ENV cannot carry.
module.exports = {
  apps: [{
    name: 'print', script: 'report.js', cwd: __dirname, args: ['--port', '80', 'two words'], node_args: '--max-semi-space-size=4',
    kill_timeout: 8000, max_memory_restart: '1G', watch: true,
    env: { GREETING: 'say "hi" to $USER', EMPTY: '', UNSET: process.env.NOT_SET_ANYWHERE, KEY: 'line one\nline two' },
  }],
};
