// Drives the real @bucketeer/js-client-sdk (Node) against Persisters' POST /register_events.
// PERSISTERS_URL, API_KEY in the environment. The SDK's apiEndpoint is a local server of this script: it answers
// /get_evaluations itself (Persisters serves no flags) and forwards /register_events unchanged to Persisters, recording
// each answer. Prints one JSON line: {"requests":[{"status","body","sent"}],"flushError":null|"..."}.
import http from 'node:http'
import { defineBKTConfig, defineBKTUser, initializeBKTClient, getBKTClient, destroyBKTClient } from '@bucketeer/js-client-sdk'

const target = process.env.PERSISTERS_URL
const evaluations = {
  evaluations: {
    id: 'ue-1',
    evaluations: [{
      id: 'flag-a:3:user-1', featureId: 'flag-a', featureVersion: 3, userId: 'user-1',
      variationId: 'var-true', variationName: 'on', variationValue: 'true', reason: { type: 'RULE', ruleId: 'rule-1' },
    }],
    createdAt: String(Math.floor(Date.now() / 1000)), archivedFeatureIds: [], forceUpdate: true,
  },
  userEvaluationsId: 'ueid-1',
}
const requests = []
const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', async () => {
    const body = Buffer.concat(chunks)
    if (req.url.endsWith('/get_evaluations')) {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(evaluations))
      return
    }
    const answer = await fetch(target + '/register_events', {
      method: 'POST', body, headers: { authorization: req.headers.authorization, 'content-type': req.headers['content-type'] },
    })
    const text = await answer.text()
    requests.push({ status: answer.status, body: text, sent: JSON.parse(body.toString('utf8')) })
    res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' })
    res.end(text)
  })
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))

await initializeBKTClient(
  defineBKTConfig({ apiKey: process.env.API_KEY, apiEndpoint: `http://127.0.0.1:${server.address().port}`, featureTag: 'web', appVersion: '1.2.3' }),
  defineBKTUser({ id: 'user-1', customAttributes: { plan: 'pro' } }),
)
const client = getBKTClient()
const variation = client.booleanVariation('flag-a', false)
await client.track('goal-x', 12.5)
let flushError = null
try {
  await client.flush()
} catch (e) {
  flushError = String(e)
}
destroyBKTClient()
server.close()
console.log(JSON.stringify({ variation, requests, flushError }))
