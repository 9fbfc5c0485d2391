// Prints what it was started with (arguments, node's options, directory,
// environment, whether process.send exists) and waits for its stop signal:
// the same output from `--from-pm2` and from the image --print describes.
const names = Object.keys(process.env).filter((name) => !['HOSTNAME', 'HOME', 'PATH'].includes(name) && !name.startsWith('VIGIL_')).sort();
console.log(JSON.stringify({
  argv: process.argv.slice(1), execArgv: process.execArgv, cwd: process.cwd(),
  env: Object.fromEntries(names.map((name) => [name, process.env[name]])), send: typeof process.send,
}));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { console.log('stopped by ' + signal); process.exit(0); });
setInterval(() => {}, 1000);
