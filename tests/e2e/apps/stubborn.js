// A Node program that ignores SIGTERM outright.
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
console.log('ready');
setInterval(() => {}, 1000);
