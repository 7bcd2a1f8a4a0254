// Publishes evaluation and goal events as plain JSON (no MassTransit envelope) to the broker Persisters consumes from.
// docs/plain-json-publishing.md explains the destinations and the two message attributes every message needs.
//
//   node publish.mjs EVENTS.json
//     EVENTS.json: {"evaluationEvents":[…],"goalEvents":[…]}, events as in POST /v1/events (each with its environmentId)
//   TRANSPORT=rabbitmq  AMQP_URL=amqp://user:password@host:5672/vhost
//   TRANSPORT=sqs       AWS_REGION=…, optional SQS_ENDPOINT (an SQS-compatible server), SQS_QUEUE_PREFIX (Transport__AmazonSqs__QueuePrefix),
//                       credentials from the AWS default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, …)
//   PER_MESSAGE=1       one message per event (EvaluationEvent / GoalEvent); N > 1: envelopes of up to N events
//                       (EvaluationEventBatch / GoalEventBatch), what lets a broker keep up with the database.
// Exits 0 once the broker accepted every message (publisher confirms on RabbitMQ, SendMessageBatch answers on SQS).
import { readFile } from 'node:fs/promises'

const file = process.argv[2]
if (!file) {
  console.error('usage: node publish.mjs EVENTS.json')
  process.exit(2)
}
const body = JSON.parse(await readFile(file, 'utf8'))
const perMessage = Number(process.env.PER_MESSAGE ?? '1')

// The message type MassTransit consumers dispatch on: urn:message:<namespace>:<type>.
const urn = (type) => `urn:message:Persisters.Contracts:${type}`

// [{type, payload}] in the form the persisters read (camelCase JSON of the contracts).
function messages(events, single, envelope) {
  if (perMessage <= 1) return events.map((e) => ({ type: single, payload: e }))
  const out = []
  for (let i = 0; i < events.length; i += perMessage) out.push({ type: envelope, payload: { events: events.slice(i, i + perMessage) } })
  return out
}
const evaluations = messages(body.evaluationEvents ?? [], 'EvaluationEvent', 'EvaluationEventBatch')
const goals = messages(body.goalEvents ?? [], 'GoalEvent', 'GoalEventBatch')

if ((process.env.TRANSPORT ?? 'rabbitmq') === 'rabbitmq') {
  const amqp = (await import('amqplib')).default
  const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672')
  const channel = await connection.createConfirmChannel()
  for (const m of [...evaluations, ...goals]) {
    // One fan-out exchange per message type, named <namespace>:<type>; every persister queue of that type is bound to it.
    channel.publish(`Persisters.Contracts:${m.type}`, '', Buffer.from(JSON.stringify(m.payload)), {
      contentType: 'application/json',
      persistent: true,
      headers: { 'MT-MessageType': urn(m.type) },
    })
  }
  await channel.waitForConfirms()
  await connection.close()
} else {
  const { SQSClient, GetQueueUrlCommand, SendMessageBatchCommand } = await import('@aws-sdk/client-sqs')
  const sqs = new SQSClient({ region: process.env.AWS_REGION, ...(process.env.SQS_ENDPOINT ? { endpoint: process.env.SQS_ENDPOINT } : {}) })
  const prefix = process.env.SQS_QUEUE_PREFIX ?? ''
  // No SNS: each persister queue of a type gets its own copy.
  const queues = { evaluation: ['evaluation-events-dwh', 'evaluation-events-ops'], goal: ['goal-events-dwh', 'goal-events-ops'] }
  for (const [kind, list] of [['evaluation', evaluations], ['goal', goals]]) {
    for (const queue of queues[kind]) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: prefix + queue }))
      for (let i = 0; i < list.length; i += 10) {
        const entries = list.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(m.payload),
          MessageAttributes: {
            'Content-Type': { DataType: 'String', StringValue: 'application/json' },
            'MT-MessageType': { DataType: 'String', StringValue: urn(m.type) },
          },
        }))
        const answer = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }))
        if (answer.Failed?.length) throw new Error(`SQS refused ${answer.Failed.length} message(s): ${JSON.stringify(answer.Failed)}`)
      }
    }
  }
}
console.log(`published ${evaluations.length + goals.length} message(s)`)
