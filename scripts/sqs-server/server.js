#!/usr/bin/env node
// Local SQS-compatible server for the Persisters tests.
//
// It serves the request handler of the npm package local-aws-sqs (pinned to 2.0.2) behind a small
// HTTP wrapper. The wrapper exists because the AWS SDK for .NET v4 talks the SQS JSON protocol and
// trips over three behaviours of that library (a fourth and a fifth fix, for cancelled long polls and for messages
// that the library makes available only in a timer, follow):
//
//  1. Empty receive: when ReceiveMessage finds nothing, the library answers "200 OK" with no body
//     at all. The SDK then fails to parse the answer and throws on every empty poll. The wrapper
//     sends the JSON empty object "{}" instead, which the SDK reads as "no messages".
//
//  2. System attribute names: SDK v4 asks for system attributes (ApproximateReceiveCount, SentTimestamp,
//     ...) under the newer request field MessageSystemAttributeNames. The library only reads the older
//     AttributeNames field, so the attributes never came back. The wrapper merges the names from
//     MessageSystemAttributeNames into AttributeNames before the library sees the request.
//
//  3. Long polling: with WaitTimeSeconds > 0 the library only returns early once it has collected
//     MaxNumberOfMessages messages; with fewer waiting it holds the request for the whole wait time.
//     Real SQS returns as soon as any message is available. The wrapper therefore asks the library
//     with WaitTimeSeconds = 0 again and again (a short pause between tries) and answers as soon as
//     one try returns at least one message, or with what it has (possibly nothing) once the deadline
//     of the original wait has passed. If the client goes away, polling stops.
//
// Request counter (for tests and benchmarks that must count API calls):
//   GET  /__persisters/requests              -> {"AmazonSQS.ReceiveMessage": n, "AmazonSQS.SendMessageBatch": n, ...}
//   GET  /__persisters/requests?queue=NAME   -> the same, counting only requests whose QueueUrl names queue NAME
//   POST /__persisters/requests/reset        -> sets every count to zero (answers the counts before the reset)
// Every JSON-protocol request is counted under its X-Amz-Target, before the library sees it (failed calls count too).
//
// Checked against the AWS SDK for .NET v4 (Persisters.Transports.AmazonSqs and its tests): TagQueue, UntagQueue,
// ListQueueTags, ListQueues with QueueNamePrefix, GetQueueAttributes(QueueArn), CreateQueue with a RedrivePolicy,
// SendMessage(Batch) with DelaySeconds and message attributes, DeleteMessageBatch and ChangeMessageVisibility(Batch)
// work as in SQS. ChangeMessageVisibility also counts as a receive for the redrive policy's maxReceiveCount.
//
//  4. Cancelled long polls: the wrapper's long poll is a loop of library calls; when the client cancels (an endpoint
//     stops) while one of those calls is taking messages, real SQS would keep them invisible for their visibility
//     timeout, as it does with any receive answer that never reaches the client. Tests of stopping and reconnecting
//     would then wait for that timeout, so the wrapper makes such messages visible again at once
//     (ChangeMessageVisibility 0, which, see below, also counts as a receive).
//
//  5. Sent messages counted late: the library stores every new message as "delayed" and clears that flag in a timer,
//     even for a delay of 0 s (setTimeout(..., 0), which Node runs after >= 1 ms, at the earliest on the next turn of
//     the event loop). Until then the message is neither counted in ApproximateNumberOfMessages nor receivable,
//     although SendMessage(Batch) has already answered. A fast client that sends and then at once reads the queue's
//     attributes saw "0 messages" (about 1 in 3 tries from a keep-alive Node client; the test
//     When_a_queue_prefix_is_set failed with "...outbox holds 0 messages, expected 1" in about 1 of 7 runs). The same
//     kind of timer makes a message released with ChangeMessageVisibility(Batch) VisibilityTimeout 0 visible again
//     (or moves it to its dead-letter queue). The wrapper therefore holds the answer to SendMessage, SendMessageBatch,
//     ChangeMessageVisibility and ChangeMessageVisibilityBatch until a zero-length timer started after the library's
//     own has fired (Node runs timers of the same length in the order they were started), so the effect of a zero
//     delay or zero visibility timeout has happened when the client gets its answer, as with SQS. Costs ~1 ms a call.
//
// Besides, the queue-creation lifecycle emulation of the library is switched off: with it, a queue
// name cannot be created again for 60 s after deleting it, which tests that reuse names cannot afford.
//
// Usage: node server.js [port]   (default: $PERSISTERS_SQS_PORT or 9324; listens on 127.0.0.1 only)

"use strict";

const http = require("http");
const { Readable } = require("stream");
const { createRequestHandler } = require("local-aws-sqs");

const HOST = "127.0.0.1";
const PORT = Number(process.argv[2] || process.env.PERSISTERS_SQS_PORT || 9324);
const JSON_CONTENT_TYPE = "application/x-amz-json-1.0";
const RECEIVE_TARGET = "AmazonSQS.ReceiveMessage";
// Quirk 5: answers held until the library's zero-length timers for the request have fired.
const SETTLED_TARGETS = new Set([
  "AmazonSQS.SendMessage",
  "AmazonSQS.SendMessageBatch",
  "AmazonSQS.ChangeMessageVisibility",
  "AmazonSQS.ChangeMessageVisibilityBatch",
]);
const POLL_PAUSE_MS = 10; // each library call with wait 0 itself takes ~40 ms when the queue is empty

const { service, requestHandler } = createRequestHandler({
  port: PORT,
  hostname: HOST,
  emulateQueueCreationLifecycle: false,
});

// Reads the whole request body into one Buffer.
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

// Runs the library's handler on a request body we supply, and collects its answer instead of
// sending it, so the wrapper can inspect and adjust it.
function callLibrary(headers, body) {
  const fakeReq = Readable.from(body.length ? [body] : []);
  fakeReq.headers = headers;
  fakeReq.method = "POST";
  fakeReq.url = "/";

  return new Promise((resolve, reject) => {
    const answer = { statusCode: 200, headers: {}, body: "" };
    const fakeRes = {
      get statusCode() {
        return answer.statusCode;
      },
      set statusCode(value) {
        answer.statusCode = value;
      },
      setHeader(name, value) {
        answer.headers[String(name).toLowerCase()] = value;
      },
      getHeader(name) {
        return answer.headers[String(name).toLowerCase()];
      },
      end(data) {
        answer.body = data == null ? "" : String(data);
        resolve(answer);
      },
    };
    Promise.resolve()
      .then(() => requestHandler(fakeReq, fakeRes))
      .catch(reject);
  });
}

function send(res, answer) {
  if (res.writableEnded || res.destroyed) return;
  const headers = Object.assign({}, answer.headers);
  let body = answer.body;
  // Quirk 1: an empty successful ReceiveMessage answer becomes "{}".
  if (answer.statusCode === 200 && body === "") {
    body = "{}";
    headers["content-type"] = JSON_CONTENT_TYPE;
  }
  headers["content-length"] = Buffer.byteLength(body);
  res.writeHead(answer.statusCode, headers);
  res.end(body);
}

function sendInternalError(res, err) {
  console.error(new Date().toISOString(), "internal error:", err && err.stack ? err.stack : err);
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const body = JSON.stringify({ __type: "InternalFailure", message: String(err && err.message ? err.message : err) });
  res.writeHead(500, {
    "content-type": JSON_CONTENT_TYPE,
    "x-amzn-query-error": "InternalFailure",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Name of the queue from a QueueUrl such as http://127.0.0.1:9324/123456789012/NAME.
function queueNameOf(queueUrl) {
  if (typeof queueUrl !== "string" || queueUrl === "") return undefined;
  try {
    const parts = new URL(queueUrl).pathname.split("/").filter(Boolean);
    return parts[parts.length - 1];
  } catch {
    return queueUrl;
  }
}

function isWholeNumber(value) {
  return (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) && Number.isInteger(Number(value));
}

async function handleReceive(req, res, raw) {
  let request;
  try {
    request = JSON.parse(raw.toString("utf8") || "{}");
  } catch {
    request = null;
  }
  if (request === null || typeof request !== "object" || Array.isArray(request)) {
    // Not something we understand: let the library produce its own answer.
    send(res, await callLibrary(req.headers, raw));
    return;
  }

  // Quirk 2: SDK v4 names system attributes in MessageSystemAttributeNames.
  if (Array.isArray(request.MessageSystemAttributeNames)) {
    const names = Array.isArray(request.AttributeNames) ? request.AttributeNames.slice() : [];
    for (const name of request.MessageSystemAttributeNames) {
      if (!names.includes(name)) names.push(name);
    }
    request.AttributeNames = names;
  }

  // Quirk 3: the effective wait is the request's WaitTimeSeconds, else the queue's own default.
  let wait = request.WaitTimeSeconds;
  if (wait === undefined || wait === null) {
    const name = queueNameOf(request.QueueUrl);
    const queue = name && service.Queues.find((q) => q.QueueName === name);
    wait = queue ? Number(queue.ReceiveMessageWaitTimeSeconds) || 0 : 0;
  }
  if (!isWholeNumber(wait) || Number(wait) <= 0 || Number(wait) > 20) {
    // No long poll (or an invalid value that the library will reject with its own error).
    send(res, await callLibrary(req.headers, Buffer.from(JSON.stringify(request))));
    return;
  }

  let clientGone = false;
  res.on("close", () => {
    clientGone = true;
  });

  const deadline = Date.now() + Number(wait) * 1000;
  const once = Buffer.from(JSON.stringify(Object.assign({}, request, { WaitTimeSeconds: 0 })));
  for (;;) {
    const answer = await callLibrary(req.headers, once);
    if (clientGone) {
      // Quirk 4: the client cancelled its long poll while this try was taking messages.
      await releaseReceived(req.headers, request.QueueUrl, answer);
      return;
    }
    const gotSomething = answer.statusCode !== 200 || answer.body !== "";
    if (gotSomething || Date.now() + POLL_PAUSE_MS >= deadline) {
      send(res, answer);
      return;
    }
    await sleep(POLL_PAUSE_MS);
    if (clientGone) return;
  }
}

// Makes the messages of a receive answer that nobody will read visible again at once.
async function releaseReceived(headers, queueUrl, answer) {
  if (answer.statusCode !== 200 || !answer.body) return;
  let messages;
  try {
    messages = JSON.parse(answer.body).Messages || [];
  } catch {
    return;
  }
  const releaseHeaders = Object.assign({}, headers, { "x-amz-target": "AmazonSQS.ChangeMessageVisibility" });
  delete releaseHeaders["content-length"];
  for (const message of messages) {
    const body = Buffer.from(JSON.stringify({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
    try {
      await callLibrary(releaseHeaders, body);
    } catch (err) {
      console.error(new Date().toISOString(), "releasing a message of a cancelled receive failed:", err && err.message ? err.message : err);
    }
  }
}

// ----- request counter ---------------------------------------------------------------------------------
const COUNTER_PATH = "/__persisters/requests";
let totals = {};
let byQueue = {};

function count(target, rawBody) {
  totals[target] = (totals[target] || 0) + 1;
  let queue;
  try {
    const request = JSON.parse(rawBody.toString("utf8") || "{}");
    queue = queueNameOf(request && request.QueueUrl);
  } catch {
    queue = undefined;
  }
  if (queue) {
    const counts = byQueue[queue] || (byQueue[queue] = {});
    counts[target] = (counts[target] || 0) + 1;
  }
}

function answerJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function handleCounter(req, res) {
  const url = new URL(req.url, `http://${HOST}:${PORT}`);
  if (req.method === "GET" && url.pathname === COUNTER_PATH) {
    const queue = url.searchParams.get("queue");
    answerJson(res, 200, queue ? byQueue[queue] || {} : totals);
    return true;
  }
  if (req.method === "POST" && url.pathname === COUNTER_PATH + "/reset") {
    const before = totals;
    totals = {};
    byQueue = {};
    answerJson(res, 200, before);
    return true;
  }
  return false;
}

// Quirk 5: runs the request, then answers only once a zero-length timer started after the library's own timers
// (those that end the zero "delay" of new messages or the zero visibility timeout of released ones) has fired.
async function forwardSettled(req, res, raw) {
  const answer = await callLibrary(req.headers, raw);
  await sleep(0);
  send(res, answer);
}

// Hands a request whose body was already read to the library, answering through the real response.
function forward(req, res, raw) {
  const fakeReq = Readable.from(raw.length ? [raw] : []);
  fakeReq.headers = req.headers;
  fakeReq.method = req.method;
  fakeReq.url = req.url;
  return Promise.resolve().then(() => requestHandler(fakeReq, res));
}

const server = http.createServer((req, res) => {
  if (req.url && req.url.startsWith(COUNTER_PATH) && handleCounter(req, res)) return;
  const isJson = req.headers["content-type"] === JSON_CONTENT_TYPE;
  const target = req.headers["x-amz-target"];
  let work;
  if (isJson && typeof target === "string") {
    work = readBody(req).then((raw) => {
      count(target, raw);
      if (target === RECEIVE_TARGET) return handleReceive(req, res, raw);
      return SETTLED_TARGETS.has(target) ? forwardSettled(req, res, raw) : forward(req, res, raw);
    });
  } else {
    work = Promise.resolve().then(() => requestHandler(req, res));
  }
  work.catch((err) => sendInternalError(res, err));
});

server.keepAliveTimeout = 65000;

process.on("unhandledRejection", (err) => {
  console.error(new Date().toISOString(), "unhandled rejection:", err && err.stack ? err.stack : err);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    console.log(new Date().toISOString(), `${signal} received, stopping`);
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

server.on("error", (err) => {
  console.error(new Date().toISOString(), "server error:", err && err.stack ? err.stack : err);
  process.exit(1);
});

server.listen(PORT, HOST, () => {
  console.log(new Date().toISOString(), `local-aws-sqs listening on http://${HOST}:${PORT} (pid ${process.pid})`);
});
