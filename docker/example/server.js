// A small HTTP server that shuts down the way a production Node service
// should: on SIGTERM (or SIGINT) it stops accepting connections, lets the
// requests in flight finish, closes idle keep-alive connections, and exits 0.
// No npm dependencies.
//
//   GET /           -> "hello"
//   GET /slow?ms=N  -> answers after N milliseconds (default 3000)
//   GET /healthz    -> 200 while serving, 503 once draining (readiness probe)
//
// Listens on PORT (default 3000), or on the unix socket SOCKET when set.
'use strict';

const http = require('node:http');

const listenOn = process.env.SOCKET || Number(process.env.PORT || 3000);
const log = (message) => console.log(`server: ${message}`);

let draining = false;
let inFlight = 0;

const server = http.createServer((request, response) => {
  inFlight += 1;
  response.on('close', () => { inFlight -= 1; });
  // While draining, tell keep-alive clients not to reuse this connection.
  if (draining) response.setHeader('Connection', 'close');

  const url = new URL(request.url, 'http://localhost');
  log(`${request.method} ${request.url} started`);
  if (url.pathname === '/healthz') {
    response.writeHead(draining ? 503 : 200).end(draining ? 'draining\n' : 'ok\n');
  } else if (url.pathname === '/slow') {
    const ms = Number(url.searchParams.get('ms') || 3000);
    setTimeout(() => {
      if (draining) response.setHeader('Connection', 'close');
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end(`slow response after ${ms} ms\n`);
    }, ms);
  } else {
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end('hello\n');
  }
});

function drain(signal) {
  if (draining) {
    log(`${signal} again while draining; still waiting for ${inFlight} request(s)`);
    return;
  }
  draining = true;
  log(`${signal} received: no new connections, waiting for ${inFlight} request(s) in flight`);
  server.close(() => {
    log('all connections closed, exiting 0');
    process.exit(0);
  });
  // Idle keep-alive sockets would hold server.close() open until they time out.
  server.closeIdleConnections();
}

process.on('SIGTERM', () => drain('SIGTERM'));
process.on('SIGINT', () => drain('SIGINT'));

server.listen(listenOn, () => log(`listening on ${listenOn} as pid ${process.pid}`));
