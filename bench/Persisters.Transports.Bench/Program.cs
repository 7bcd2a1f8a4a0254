using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using MySqlConnector;
using Persisters.Bench.Shared;
using Persisters.Contracts;

// The DWH evaluation persister end to end over RabbitMQ, Amazon SQS (the local SQS-compatible server) and Azure Service Bus
// (the Service Bus test emulator), in one run: one real host process per broker (`persisters run`, on demand, MariaDB),
// events published while it consumes, timed from the first publish to the last persisted row. Then, per broker with a
// counter, what the host asks of it while its persister endpoints are connected but idle and while they are stopped (no
// live experiment): SQS API calls from the SQS server's request counter; Service Bus receive calls (AMQP credit flows)
// and receiver links from the emulator's stats. `--brokers RabbitMq,AzureServiceBus` runs a subset.
// Needs the test servers: scripts/services.sh up && eval "$(scripts/services.sh env)".
var envelopeEvents = Option("--events", 20_000);
var singleEvents = Option("--single-events", 3_000);
var idleSeconds = Option("--idle-seconds", 60);
var admin = Required("PERSISTERS_TEST_MYSQL_ADMIN");
var rabbitHost = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_HOST") ?? "127.0.0.1";
var rabbitPort = ushort.Parse(Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_PORT") ?? "5672");
var management = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_MGMT") ?? "http://127.0.0.1:15672";
var brokers = (OptionText("--brokers") ?? "RabbitMq,AmazonSqs,AzureServiceBus").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var sqsUrl = brokers.Contains("AmazonSqs") ? Required("PERSISTERS_TEST_SQS_URL") : "http://127.0.0.1:9324";
var serviceBus = brokers.Contains("AzureServiceBus") ? Required("PERSISTERS_TEST_SERVICEBUS") : "";
var serviceBusStats = brokers.Contains("AzureServiceBus") ? Required("PERSISTERS_TEST_SERVICEBUS_MGMT").TrimEnd('/') + "/_emulator/stats" : "";
string[] persisterQueues = ["evaluation-events-dwh", "goal-events-dwh", "evaluation-events-ops", "goal-events-ops"];

using var rabbitApi = new HttpClient { BaseAddress = new Uri(management) };
rabbitApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
using var sqsApi = new HttpClient { BaseAddress = new Uri(sqsUrl) };
using var statsApi = new HttpClient();

var results = new List<string>();
foreach (var broker in brokers)
{
    var db = $"persisters_transports_bench_{broker.ToLowerInvariant()}";
    await Admin($"DROP DATABASE IF EXISTS `{db}`");
    await Admin($"CREATE DATABASE `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    var connection = new MySqlConnectionStringBuilder(admin) { Database = db }.ConnectionString;
    var env = new Dictionary<string, string>
    {
        ["Database__Provider"] = "MySql",
        ["Database__ConnectionString"] = connection,
        ["Logging__LogLevel__Default"] = "Warning",
    };
    const string vhost = "persisters-transports-bench";
    var prefix = $"tb{Guid.NewGuid():N}"[..10] + "-";
    IBusControl bus;
    if (broker == "RabbitMq")
    {
        await rabbitApi.DeleteAsync($"/api/vhosts/{vhost}");
        (await rabbitApi.PutAsync($"/api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
        (await rabbitApi.PutAsJsonAsync($"/api/permissions/{vhost}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        env["Transport__Kind"] = "RabbitMq";
        env["Transport__RabbitMq__Host"] = rabbitHost;
        env["Transport__RabbitMq__Port"] = rabbitPort.ToString();
        env["Transport__RabbitMq__VirtualHost"] = vhost;
        env["Transport__RabbitMq__Username"] = "guest";
        env["Transport__RabbitMq__Password"] = "guest";
        bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(rabbitHost, rabbitPort, vhost, h => { h.Username("guest"); h.Password("guest"); }));
    }
    else if (broker == "AzureServiceBus")
    {
        // The bench's own scope on the emulator: queues and topics under it (as Transport__AzureServiceBus__Scope does).
        env["Transport__Kind"] = "AzureServiceBus";
        env["Transport__AzureServiceBus__ConnectionString"] = serviceBus;
        env["Transport__AzureServiceBus__Scope"] = prefix.TrimEnd('-');
        var endpoint = Azure.Messaging.ServiceBus.ServiceBusConnectionStringProperties.Parse(serviceBus).Endpoint;
        bus = Bus.Factory.CreateUsingAzureServiceBus(cfg =>
        {
            cfg.Host(new Uri($"sb://{endpoint.Host}:{endpoint.Port}/{prefix.TrimEnd('-')}"), h => h.ConnectionString = serviceBus);
            cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, prefix.TrimEnd('-') + "/"));
        });
    }
    else
    {
        env["Transport__Kind"] = "AmazonSqs";
        env["Transport__AmazonSqs__Region"] = "us-east-1";
        env["Transport__AmazonSqs__ServiceUrl"] = sqsUrl;
        env["Transport__AmazonSqs__AccessKey"] = "bench";
        env["Transport__AmazonSqs__SecretKey"] = "bench";
        env["Transport__AmazonSqs__QueuePrefix"] = prefix;
        bus = Bus.Factory.CreateUsingAmazonSqs(cfg => cfg.Host("us-east-1", h =>
        {
            h.AccessKey("bench");
            h.SecretKey("bench");
            h.Config(new Amazon.SQS.AmazonSQSConfig { ServiceURL = sqsUrl });
            h.QueueNamePrefix(prefix);
        }));
    }

    var runner = new HostRunner(env);
    if (await runner.RunToEndAsync("migrate") is var (exit, output) && exit != 0) throw new InvalidOperationException($"migrate failed:\n{output}");
    var (host, port) = runner.Start("run");
    await HostRunner.WaitReadyAsync(port);
    await bus.StartAsync();
    Console.WriteLine($"{broker}: host up (pid {host.Id})");

    // A running experiment: the demand controller connects the DWH endpoints; one probe event warms the path.
    var feature = $"tb-{broker.ToLowerInvariant()}";
    var experimentId = await CreateRunningExperiment(bus, feature);
    await PublishAndWait(bus, connection, feature, [Event(feature, "probe")], 1, TimeSpan.FromSeconds(60));

    var envelopes = Enumerable.Range(0, envelopeEvents).Select(i => Event(feature, $"env-{i}")).Chunk(100)
        .Select(c => new EvaluationEventBatch { Events = c }).ToList();
    var (envelopePublish, envelopeEnd) = await PublishAndWait(bus, connection, feature, envelopes, 1 + envelopeEvents, TimeSpan.FromMinutes(10));
    var singles = Enumerable.Range(0, singleEvents).Select(i => Event(feature, $"one-{i}")).ToList();
    var (singlePublish, singleEnd) = await PublishAndWait(bus, connection, feature, singles, 1 + envelopeEvents + singleEvents, TimeSpan.FromMinutes(10));
    results.Add($"| {broker} | {envelopeEvents / envelopeEnd.TotalSeconds:F0} ({envelopeEvents / envelopePublish.TotalSeconds:F0} published/s) | " +
                $"{singleEvents / singleEnd.TotalSeconds:F0} ({singleEvents / singlePublish.TotalSeconds:F0} published/s) |");
    Console.WriteLine(results[^1]);

    if (broker == "AmazonSqs")
    {
        // Connected but idle: the DWH endpoints long-poll their queues.
        await Reset();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        var connectedIdle = await Calls();
        // Stopped: force-stop the experiment; the DWH endpoints stop; nothing else needs the persister queues.
        await Expect(bus.CreateRequestClient<ForceStopExperiment>(new Uri("queue:experiment-lifecycle"))
            .GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(new ForceStopExperiment { ExperimentId = experimentId }));
        await Task.Delay(TimeSpan.FromSeconds(45)); // the demand change, the stop, and a long poll in flight (up to 20 s) are over
        await Reset();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        var stopped = await Calls();
        var minutes = idleSeconds / 60.0;
        Console.WriteLine();
        Console.WriteLine($"## SQS API calls per minute of the host, {idleSeconds} s each");
        Console.WriteLine("| state | the four persister queues | all queues of the host |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| persister endpoints connected, no traffic | {Describe(connectedIdle.PerQueue, minutes)} | {connectedIdle.Total / minutes:F1} |");
        Console.WriteLine($"| persister endpoints stopped (nothing live) | {Describe(stopped.PerQueue, minutes)} | {stopped.Total / minutes:F1} |");

        // How long StopAsync of a connected, idle endpoint takes: its 20 s long poll is in flight and must be cancelled.
        var stops = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var probe = bus.ConnectReceiveEndpoint($"stop-probe-{i}", e => e.Handler<EvaluationEvent>(_ => Task.CompletedTask));
            await probe.Ready;
            await Task.Delay(TimeSpan.FromSeconds(1));
            var stopClock = Stopwatch.StartNew();
            await probe.StopAsync();
            stops.Add(stopClock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine();
        Console.WriteLine($"StopAsync of an idle SQS endpoint with its 20 s long poll in flight (5 times): {string.Join(", ", stops.Select(ms => $"{ms:F0} ms"))}");
    }

    if (broker == "AzureServiceBus")
    {
        var scope = prefix.TrimEnd('-');
        // Connected but idle: the DWH endpoints wait for messages (two receive calls each, with standing credit).
        await Task.Delay(TimeSpan.FromSeconds(5));
        await ResetServiceBusStats();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        var connectedIdle = await ServiceBusQueues(scope);
        await Expect(bus.CreateRequestClient<ForceStopExperiment>(new Uri("queue:experiment-lifecycle"))
            .GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(new ForceStopExperiment { ExperimentId = experimentId }));
        await Task.Delay(TimeSpan.FromSeconds(10)); // the demand change and the stop are over
        await ResetServiceBusStats();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        var stopped = await ServiceBusQueues(scope);
        var minutes = idleSeconds / 60.0;
        Console.WriteLine();
        Console.WriteLine($"## Service Bus: what the host asks of the emulator, {idleSeconds} s each (receive calls = AMQP credit flows)");
        Console.WriteLine("| state | per persister queue: receive calls / min, receiver links open, links opened / min | all queues of the host: receive calls / min, receiver links open |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| persister endpoints connected, no traffic | {DescribeLinks(connectedIdle.PerQueue, minutes)} | {connectedIdle.Flows / minutes:F1}, {connectedIdle.Links} |");
        Console.WriteLine($"| persister endpoints stopped (nothing live) | {DescribeLinks(stopped.PerQueue, minutes)} | {stopped.Flows / minutes:F1}, {stopped.Links} |");
    }

    await bus.StopAsync();
    await HostRunner.StopAsync(host);
    await Admin($"DROP DATABASE IF EXISTS `{db}`");
    if (broker == "RabbitMq") await rabbitApi.DeleteAsync($"/api/vhosts/{vhost}");
    if (broker == "AzureServiceBus") await DeleteServiceBusScope(prefix.TrimEnd('-'));

    async Task Reset() => (await sqsApi.PostAsync("/__persisters/requests/reset", null)).EnsureSuccessStatusCode();

    async Task ResetServiceBusStats() => (await statsApi.PostAsync(serviceBusStats + "/reset", null)).EnsureSuccessStatusCode();

    // Per persister queue (creditFlows, receiverLinks, receiverLinksOpened) and the totals over every queue of the scope.
    async Task<(Dictionary<string, (long Flows, long Links, long Opened)> PerQueue, long Flows, long Links)> ServiceBusQueues(string scope)
    {
        using var document = JsonDocument.Parse(await statsApi.GetStringAsync(serviceBusStats));
        var perQueue = new Dictionary<string, (long, long, long)>();
        long flows = 0, links = 0;
        foreach (var entity in document.RootElement.GetProperty("entities").EnumerateObject())
        {
            if (!entity.Name.StartsWith(scope + "/", StringComparison.Ordinal) || entity.Value.GetProperty("kind").GetString() != "queue") continue;
            var values = (entity.Value.GetProperty("creditFlows").GetInt64(), entity.Value.GetProperty("receiverLinks").GetInt64(),
                entity.Value.GetProperty("receiverLinksOpened").GetInt64());
            flows += values.Item1;
            links += values.Item2;
            var name = entity.Name[(scope.Length + 1)..];
            if (persisterQueues.Contains(name)) perQueue[name] = values;
        }
        return (perQueue, flows, links);
    }

    async Task<(Dictionary<string, Dictionary<string, long>> PerQueue, long Total)> Calls()
    {
        var perQueue = new Dictionary<string, Dictionary<string, long>>();
        foreach (var q in persisterQueues)
        {
            perQueue[q] = await sqsApi.GetFromJsonAsync<Dictionary<string, long>>($"/__persisters/requests?queue={prefix}{q}") ?? [];
        }
        var all = await sqsApi.GetFromJsonAsync<Dictionary<string, long>>("/__persisters/requests") ?? [];
        return (perQueue, all.Values.Sum());
    }
}

Console.WriteLine();
Console.WriteLine("## DWH evaluation persister, end to end (events/s from the first publish to the last persisted row)");
Console.WriteLine($"| broker | {envelopeEvents:N0} events, 100 per message | {singleEvents:N0} events, one message each |");
Console.WriteLine("|---|---|---|");
foreach (var r in results) Console.WriteLine(r);
return 0;

static string DescribeLinks(Dictionary<string, (long Flows, long Links, long Opened)> perQueue, double minutes) =>
    string.Join(", ", perQueue.OrderBy(q => q.Key, StringComparer.Ordinal)
        .Select(q => $"{q.Key} {q.Value.Flows / minutes:F1} / {q.Value.Links} / {q.Value.Opened / minutes:F1}"));

static string Describe(Dictionary<string, Dictionary<string, long>> perQueue, double minutes) =>
    string.Join(", ", perQueue.Select(q => $"{q.Key} {q.Value.Values.Sum() / minutes:F1}" +
        (q.Value.Count == 0 ? "" : $" ({string.Join(", ", q.Value.Select(a => $"{a.Key.Replace("AmazonSQS.", "")} {a.Value / minutes:F1}"))})")));

string? OptionText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}

static string Required(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
    ? v
    : throw new InvalidOperationException($"{name} is not set: scripts/services.sh up && eval \"$(scripts/services.sh env)\"");

static EvaluationEvent Event(string feature, string id) => new()
{
    Id = $"{feature}-{id}", EnvironmentId = "bench", Timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), FeatureId = feature, FeatureVersion = 1,
    UserId = $"u{id.GetHashCode() & 0xffff}", VariationId = id.Length % 2 == 0 ? "A" : "B", Reason = ReasonType.Rule, SourceId = SourceId.GoServer,
};

async Task DeleteServiceBusScope(string scope)
{
    var admin = new Azure.Messaging.ServiceBus.Administration.ServiceBusAdministrationClient(serviceBus);
    await foreach (var topic in admin.GetTopicsAsync())
        if (topic.Name.StartsWith(scope + "/", StringComparison.Ordinal)) await admin.DeleteTopicAsync(topic.Name);
    await foreach (var queue in admin.GetQueuesAsync())
        if (queue.Name.StartsWith(scope + "/", StringComparison.Ordinal)) await admin.DeleteQueueAsync(queue.Name);
}

static async Task Expect(Task<Response<ExperimentCommandAccepted, ExperimentCommandRejected>> request)
{
    var response = await request;
    if (response.Is(out Response<ExperimentCommandRejected>? rejected)) throw new InvalidOperationException($"rejected: {rejected!.Message.Reason}");
}

static async Task<Guid> CreateRunningExperiment(IBus bus, string feature)
{
    var id = Guid.NewGuid();
    var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    await Expect(bus.CreateRequestClient<CreateExperiment>(new Uri("queue:experiment-lifecycle"), RequestTimeout.After(s: 60))
        .GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(new CreateExperiment
        {
            ExperimentId = id, EnvironmentId = "bench", Name = feature, FeatureId = feature, FeatureVersion = 1, VariationIds = ["A", "B"],
            BaselineVariationId = "A", GoalIds = ["g"], StartAt = now - 5, StopAt = now + 86_400,
        }));
    return id;
}

// Publishes everything (concurrently, in chunks) and waits until the feature has `expectedRows` rows.
static async Task<(TimeSpan Publish, TimeSpan End)> PublishAndWait<T>(IBus bus, string connection, string feature, IReadOnlyList<T> messages, long expectedRows,
    TimeSpan timeout) where T : class
{
    var clock = Stopwatch.StartNew();
    var publishing = Task.Run(async () =>
    {
        foreach (var chunk in messages.Chunk(200)) await bus.PublishBatch(chunk);
        return clock.Elapsed;
    });
    await using var c = new MySqlConnection(connection);
    await c.OpenAsync();
    var count = new MySqlCommand($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{feature}'", c);
    while (Convert.ToInt64(await count.ExecuteScalarAsync()) < expectedRows)
    {
        if (clock.Elapsed > timeout) throw new TimeoutException($"{feature}: not all {expectedRows} rows within {timeout}");
        await Task.Delay(20);
    }
    return (await publishing, clock.Elapsed);
}

async Task Admin(string sql)
{
    await using var c = new MySqlConnection(admin);
    await c.OpenAsync();
    await new MySqlCommand(sql, c).ExecuteNonQueryAsync();
}
