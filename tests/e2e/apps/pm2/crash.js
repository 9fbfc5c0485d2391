console.log('crash: starting');
setTimeout(() => process.exit(3), 500);
