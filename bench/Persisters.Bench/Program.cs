using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using Persisters.Consumers;
using Persisters.Consumers.Persisters;
using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.Host.Hosting;
using Persisters.Persistence;
using Persisters.Persistence.Model;

// End-to-end DWH persistence RabbitMQ -> MariaDB, against (a) the raw multi-row INSERT ceiling for the
// same rows into the same MariaDB and (b) a naive per-message EF Core consumer. One run, one machine.
// Needs the test servers: scripts/services.sh up mariadb rabbitmq && eval "$(scripts/services.sh env)".
var events = args.Length > 0 ? int.Parse(args[0]) : 100_000;
var naiveEvents = args.Length > 1 ? int.Parse(args[1]) : 10_000;
// --phases four,alone,envelopes,noop,raw,naive (default: all): a subset, e.g. to repeat one comparison many times.
var phaseIndex = Array.IndexOf(args, "--phases");
var phases = phaseIndex >= 0 && phaseIndex + 1 < args.Length ? args[phaseIndex + 1].Split(',') : ["four", "alone", "envelopes", "noop", "raw", "naive"];
bool Runs(string phase) => phases.Contains(phase);
var admin = Environment.GetEnvironmentVariable("PERSISTERS_TEST_MYSQL_ADMIN") ?? throw new InvalidOperationException("PERSISTERS_TEST_MYSQL_ADMIN is not set");
var rabbitHost = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_HOST") ?? "127.0.0.1";
var rabbitPort = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_PORT") ?? "5672";
var management = Environment.GetEnvironmentVariable("PERSISTERS_TEST_RABBITMQ_MGMT") ?? "http://127.0.0.1:15672";
const string vhost = "persisters-bench";
const string dbName = "persisters_bench";

await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
await Admin($"CREATE DATABASE `{dbName}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
var connectionString = new MySqlConnectionStringBuilder(admin) { Database = dbName }.ConnectionString;
await RecreateVirtualHost();

var settings = new Dictionary<string, string?>
{
    ["Transport:Kind"] = "RabbitMq",
    ["Transport:RabbitMq:Host"] = rabbitHost,
    ["Transport:RabbitMq:Port"] = rabbitPort,
    ["Transport:RabbitMq:VirtualHost"] = vhost,
    ["Transport:RabbitMq:Username"] = "guest",
    ["Transport:RabbitMq:Password"] = "guest",
    ["Database:Provider"] = "MySql",
    ["Database:ConnectionString"] = connectionString,
    ["Database:MigrateOnStart"] = "true",
    // Throughput only: endpoints bound for the whole run, so the drain timing holds no connect step (see the on-demand bench for that).
    ["Persisters:OnDemand"] = "false",
};

var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
var experiment = SyntheticTraffic.Experiment("bench", "bench", now);
var traffic = SyntheticTraffic.Create(experiment, events, 0, 0, seed: 1, now);
var rows = traffic.ValidEvaluations.Select(e => EventRows.Evaluation(e, Persisters.Consumers.Validation.EventValidator.ResolveUserId(e.UserId, e.User), "{\"plan\":\"1\"}", now * 1000)).ToList();
Console.WriteLine($"cores {Environment.ProcessorCount}; {events} evaluation events; MariaDB {await Scalar("SELECT VERSION()")}; RabbitMQ {rabbitHost}:{rabbitPort}");

using (var db = Build(settings, withPersisters: true))
{
    await db.Services.MigrateIfConfiguredAsync(CancellationToken.None);
    await db.Services.GetRequiredService<DefinitionStore>().UpsertExperimentAsync(experiment, now, CancellationToken.None);
}
Task<bool> AllRows(int expected) => Count($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'").ContinueWith(t => t.Result >= expected);

// Every consumer phase loads its queue first (fresh virtual host, table emptied) and then drains it, so the
// publisher's speed does not bound what is measured.
// Ours: the real host composition; all four persisters consume their copies (the OPS ones find no rule and skip).
var (publishRate, ours) = !Runs("four") ? (double.NaN, double.NaN) : await Phase(() => Build(settings, withPersisters: true), traffic.Evaluations, "evaluation-events-dwh",
    () => AllRows(traffic.ExpectedEvaluationRows));

// Ours, the DWH evaluation persister alone (what an on-demand deployment runs when only experiments need events).
var (_, oursAlone) = !Runs("alone") ? (double.NaN, double.NaN) : await Phase(() => Build(settings, withPersisters: false, x =>
    x.AddConsumer<EvaluationEventsDwhPersister, EvaluationEventsDwhPersisterDefinition>()), traffic.Evaluations, "evaluation-events-dwh",
    () => AllRows(traffic.ExpectedEvaluationRows));

// Ours, the DWH evaluation persister alone, with the same events sent 100 to a message (as a gateway receives them).
var envelopes = traffic.Evaluations.Chunk(100).Select(c => new EvaluationEventBatch { Events = c }).ToList();
var (envelopePublishRate, oursEnvelopes) = !Runs("envelopes") ? (double.NaN, double.NaN) : await Phase(() => Build(settings, withPersisters: false, x =>
    x.AddConsumer<EvaluationEventsDwhPersister, EvaluationEventsDwhPersisterDefinition>()), envelopes, "evaluation-events-dwh",
    () => AllRows(traffic.ExpectedEvaluationRows), eventsPerMessage: 100);

// The broker + MassTransit ceiling: a batch consumer with the same batch settings that does nothing.
var (_, noOp) = !Runs("noop") ? (double.NaN, double.NaN) : await Phase(() => Build(settings, withPersisters: false, x =>
        x.AddConsumer<NoOpBatchConsumer>(c => c.Options<BatchOptions>(o => o.SetMessageLimit(500).SetTimeLimit(TimeSpan.FromMilliseconds(200)).SetConcurrencyLimit(2)))
            .Endpoint(e => e.Name = "noop-evaluation-events")),
    traffic.Evaluations, "noop-evaluation-events", () => Task.FromResult(NoOpBatchConsumer.Consumed >= traffic.Evaluations.Count));

// (a) The raw ceiling: the same rows, parameterised 1000-row INSERTs on one connection, nothing else.
await Exec("TRUNCATE TABLE evaluation_event");
double raw = double.NaN;
if (Runs("raw"))
{
    await using var connection = new MySqlConnection(connectionString);
    await connection.OpenAsync();
    var clock = Stopwatch.StartNew();
    foreach (var chunk in rows.Chunk(1000))
    {
        var sql = new StringBuilder("INSERT INTO evaluation_event (id, environment_id, timestamp, feature_id, feature_version, user_id, user_data, variation_id, reason, tag, source_id, sdk_version, created_at) VALUES ");
        await using var cmd = new MySqlCommand { Connection = connection };
        for (var i = 0; i < chunk.Length; i++)
        {
            var r = chunk[i];
            sql.Append(i == 0 ? "" : ",").Append($"(@a{i},@b{i},@c{i},@d{i},@e{i},@f{i},@g{i},@h{i},@i{i},@j{i},@k{i},@l{i},@m{i})");
            cmd.Parameters.AddWithValue($"@a{i}", r.Id); cmd.Parameters.AddWithValue($"@b{i}", r.EnvironmentId);
            cmd.Parameters.AddWithValue($"@c{i}", r.Timestamp); cmd.Parameters.AddWithValue($"@d{i}", r.FeatureId);
            cmd.Parameters.AddWithValue($"@e{i}", r.FeatureVersion); cmd.Parameters.AddWithValue($"@f{i}", r.UserId);
            cmd.Parameters.AddWithValue($"@g{i}", r.UserData); cmd.Parameters.AddWithValue($"@h{i}", r.VariationId);
            cmd.Parameters.AddWithValue($"@i{i}", r.Reason); cmd.Parameters.AddWithValue($"@j{i}", r.Tag);
            cmd.Parameters.AddWithValue($"@k{i}", r.SourceId); cmd.Parameters.AddWithValue($"@l{i}", r.SdkVersion);
            cmd.Parameters.AddWithValue($"@m{i}", r.CreatedAt);
        }
        cmd.CommandText = sql.ToString();
        await cmd.ExecuteNonQueryAsync();
    }
    raw = rows.Count / clock.Elapsed.TotalSeconds;
}

// (b) Naive: one message at a time, a relevance query and one SaveChanges per event, default endpoint settings.
var naiveTraffic = SyntheticTraffic.Create(experiment, naiveEvents, 0, 0, seed: 2, now);
var (_, naive) = !Runs("naive") ? (double.NaN, double.NaN) : await Phase(() => Build(settings, withPersisters: false, x => x.AddConsumer<NaiveEvaluationConsumer>().Endpoint(e => e.Name = "naive-evaluation-events")),
    naiveTraffic.Evaluations, "naive-evaluation-events", () => AllRows(naiveTraffic.ExpectedEvaluationRows));

Console.WriteLine();
Console.WriteLine("| measure | events/s |");
Console.WriteLine("|---|---:|");
Console.WriteLine($"| raw multi-row INSERT ceiling (1000 rows/statement, one connection) | {raw:F0} |");
Console.WriteLine($"| Persisters, all four persisters running, RabbitMQ queues -> MariaDB | {ours:F0} |");
Console.WriteLine($"| Persisters, DWH evaluation persister alone, RabbitMQ queue -> MariaDB | {oursAlone:F0} |");
Console.WriteLine($"| Persisters, DWH evaluation persister alone, events sent 100 per message | {oursEnvelopes:F0} |");
Console.WriteLine($"| no-op MassTransit batch consumer, same batch settings (broker + MassTransit ceiling) | {noOp:F0} |");
Console.WriteLine($"| publishing into RabbitMQ (MassTransit, publisher confirms, 8 concurrent batches of 500) | {publishRate:F0} |");
Console.WriteLine($"| publishing 100 events per message | {envelopePublishRate:F0} |");
Console.WriteLine($"| naive per-message EF Core consumer | {naive:F0} |");
Console.WriteLine();
Console.WriteLine($"ours (alone) / raw ceiling      = {oursAlone / raw:F2}");
Console.WriteLine($"ours (100 per message) / raw    = {oursEnvelopes / raw:F2}");
Console.WriteLine($"ours (100 per message) / naive  = {oursEnvelopes / naive:F1}");
Console.WriteLine($"ours (alone) / naive            = {oursAlone / naive:F1}");
Console.WriteLine($"ours (all four) / naive         = {ours / naive:F1}");
Console.WriteLine($"ours (alone) / no-op consumer   = {oursAlone / noOp:F2}");
await Admin($"DROP DATABASE IF EXISTS `{dbName}`");
return 0;

// Rates are in events per second, whatever the number of events per message.
async Task<(double PublishRate, double DrainRate)> Phase<T>(Func<IHost> consumerHost, IReadOnlyList<T> messages, string queue, Func<Task<bool>> done,
    int eventsPerMessage = 1) where T : class
{
    await RecreateVirtualHost();
    await Exec("TRUNCATE TABLE evaluation_event");
    var publish = await LoadQueue(consumerHost, messages, queue) * eventsPerMessage;
    var drain = await Drain(consumerHost, messages.Count * eventsPerMessage, done);
    return (publish, drain);
}

// Declares the topology with one start/stop of the consumer host, then publishes everything from a publish-only bus.
async Task<double> LoadQueue<T>(Func<IHost> consumerHost, IReadOnlyList<T> items, string queue) where T : class
{
    using (var h = consumerHost())
    {
        await h.StartAsync();
        await h.StopAsync();
    }
    using var publisher = Build(settings, withPersisters: false);
    await publisher.StartAsync();
    var clock = Stopwatch.StartNew();
    await PublishAll(publisher.Services.GetRequiredService<IBus>(), items);
    var rate = items.Count / clock.Elapsed.TotalSeconds;
    await publisher.StopAsync();
    while (await QueueDepth(queue) < items.Count)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"{queue} never held {items.Count} messages");
        await Task.Delay(500);
    }
    return rate;
}

// Starts the consumers on a loaded queue and times them until every expected row is there.
async Task<double> Drain(Func<IHost> consumerHost, int messages, Func<Task<bool>> done)
{
    using var h = consumerHost();
    var clock = Stopwatch.StartNew();
    await h.StartAsync();
    while (!await done())
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("the consumers did not finish within 10 minutes");
        await Task.Delay(20);
    }
    var rate = messages / clock.Elapsed.TotalSeconds;
    await h.StopAsync();
    return rate;
}

async Task<long> QueueDepth(string queue)
{
    using var http = new HttpClient { BaseAddress = new Uri(management) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
    using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/api/queues/{vhost}/{queue}"));
    return doc.RootElement.TryGetProperty("messages", out var m) ? m.GetInt64() : 0;
}

IHost Build(Dictionary<string, string?> values, bool withPersisters, Action<IBusRegistrationConfigurator>? extra = null)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Configuration.AddInMemoryCollection(values);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    var hostSettings = builder.AddPersistersSettings();
    builder.AddServiceDefaults(); // as the service: metrics always, traces only with OTEL_EXPORTER_OTLP_ENDPOINT (unset here)
    if (extra is null)
    {
        builder.AddPersistersServices(hostSettings, withPersisters);
    }
    else
    {
        builder.Services.AddPersistersDatabase(hostSettings.Database);
        builder.Services.AddPersisterServices();
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        builder.Services.AddMassTransit(x =>
        {
            extra(x);
            x.UsingPersistersTransport(hostSettings.Transport);
        });
    }
    return builder.Build();
}

static async Task PublishAll<T>(IBus bus, IReadOnlyList<T> items) where T : class
{
    var tasks = new List<Task>();
    using var gate = new SemaphoreSlim(8);
    foreach (var chunk in items.Chunk(500))
    {
        await gate.WaitAsync();
        tasks.Add(Task.Run(async () =>
        {
            try { await bus.PublishBatch(chunk); }
            finally { gate.Release(); }
        }));
    }
    await Task.WhenAll(tasks);
}

async Task Admin(string sql)
{
    await using var c = new MySqlConnection(admin);
    await c.OpenAsync();
    await new MySqlCommand(sql, c).ExecuteNonQueryAsync();
}

async Task Exec(string sql)
{
    await using var c = new MySqlConnection(connectionString);
    await c.OpenAsync();
    await new MySqlCommand(sql, c).ExecuteNonQueryAsync();
}

async Task<object?> Scalar(string sql)
{
    await using var c = new MySqlConnection(connectionString);
    await c.OpenAsync();
    return await new MySqlCommand(sql, c).ExecuteScalarAsync();
}

async Task<long> Count(string sql) => Convert.ToInt64(await Scalar(sql));

async Task RecreateVirtualHost()
{
    using var http = new HttpClient { BaseAddress = new Uri(management) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
    await http.DeleteAsync($"/api/vhosts/{vhost}");
    (await http.PutAsync($"/api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
    (await http.PutAsJsonAsync($"/api/permissions/{vhost}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
}

/// <summary>What a first attempt looks like: per message, look the experiment up and save one entity.</summary>
public sealed class NaiveEvaluationConsumer(IPersistersDbContextFactory factory) : IConsumer<EvaluationEvent>
{
    public async Task Consume(ConsumeContext<EvaluationEvent> context)
    {
        var e = context.Message;
        await using var db = factory.CreateDbContext();
        var live = await db.Experiments.AnyAsync(x => x.FeatureId == e.FeatureId && x.FeatureVersion == e.FeatureVersion && x.Status == 1);
        if (!live || await db.EvaluationEvents.AnyAsync(x => x.Id == e.Id)) return;
        db.EvaluationEvents.Add(new EvaluationEventRow
        {
            Id = e.Id, EnvironmentId = e.EnvironmentId, Timestamp = e.Timestamp, FeatureId = e.FeatureId, FeatureVersion = e.FeatureVersion,
            UserId = e.UserId, UserData = "{\"plan\":\"1\"}", VariationId = e.VariationId, Reason = e.Reason.ToString().ToUpperInvariant(),
            Tag = e.Tag, SourceId = e.SourceId.ToString().ToUpperInvariant(), SdkVersion = e.SdkVersion, CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        });
        await db.SaveChangesAsync();
    }
}

/// <summary>Takes batches and does nothing: what the broker and MassTransit cost on their own.</summary>
public sealed class NoOpBatchConsumer : IConsumer<Batch<EvaluationEvent>>
{
    private static long _consumed;

    public static long Consumed => Interlocked.Read(ref _consumed);

    public Task Consume(ConsumeContext<Batch<EvaluationEvent>> context)
    {
        Interlocked.Add(ref _consumed, context.Message.Length);
        return Task.CompletedTask;
    }
}
