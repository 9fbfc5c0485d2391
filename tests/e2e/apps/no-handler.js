// A Node program with no SIGTERM handler: as PID 1 it ignores SIGTERM.
console.log('ready');
setInterval(() => {}, 1000);
