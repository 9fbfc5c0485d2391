// A Node program that reports SIGHUP and keeps running; SIGTERM ends it (143).
process.on('SIGHUP', () => console.log('got SIGHUP'));
console.log('ready');
setInterval(() => {}, 1000);
