using System.Diagnostics;
using System.Net;
using MySqlConnector;
using Persisters.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Persisters.IntegrationTests;

/// <summary>
/// Issue 11, item 4: <c>/health/ready</c> answers 503 while the broker or the database is unavailable, and every answer
/// comes within about a second, stopped or frozen alike. The host reaches RabbitMQ and MariaDB through TCP proxies this test
/// controls (<see cref="TcpProxy"/>): the shared servers keep serving the tests that run beside this one.
/// </summary>
public sealed class When_a_server_becomes_unavailable(ITestOutputHelper output)
{
    /// <summary>Bound on one readiness answer: "about a second", with room for a loaded 2-core CI machine.</summary>
    /// <summary>The readiness probe's <c>timeoutSeconds</c> in deploy/kubernetes/base/deployment.yaml: a slower answer is a failed probe to the kubelet.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Readiness_is_503_while_the_broker_is_stopped_or_the_database_is_stopped_or_frozen_and_answers_at_once()
    {
        await using var sut = await ServiceUnderTest.CreateAsync();
        await using var broker = new TcpProxy(TestServers.RabbitMqHost, TestServers.RabbitMqPort);
        var db = new MySqlConnectionStringBuilder(sut.Database.ConnectionString);
        await using var database = new TcpProxy(db.Server, (int)db.Port);
        sut.Environment["Transport__RabbitMq__Port"] = broker.Port.ToString();
        sut.Environment["Database__ConnectionString"] = new MySqlConnectionStringBuilder(sut.Database.ConnectionString) { Port = (uint)database.Port }.ConnectionString;
        await using var host = await sut.StartHostAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var probe = new Readiness(http, host.Port);

        var outages = new (string Name, Action Begin, Action End, TimeSpan Patience)[]
        {
            ("database stopped", database.Refuse, database.Resume, TimeSpan.FromSeconds(15)),
            ("database frozen", database.Freeze, database.Resume, TimeSpan.FromSeconds(15)),
            ("broker stopped", broker.Refuse, broker.Resume, TimeSpan.FromSeconds(15)),
        };
        foreach (var (name, begin, end, patience) in outages)
        {
            Assert.Equal(HttpStatusCode.OK, (await probe.WaitForAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90), $"before {name}")).Status);
            begin();
            var down = await probe.WaitForAsync(HttpStatusCode.ServiceUnavailable, patience, name);
            var during = await probe.SampleAsync(TimeSpan.FromSeconds(3));
            end();
            var back = await probe.WaitForAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90), $"after {name}");
            output.WriteLine($"{name}: 503 after {down.Elapsed.TotalSeconds:0.0} s; answers while down: {during.Count}, all {string.Join("/", during.Select(d => (int)d.Status).Distinct())}, " +
                $"slowest {during.Max(d => d.AnswerTime).TotalMilliseconds:0} ms (slowest of all answers {probe.Slowest.TotalMilliseconds:0} ms); 200 again {back.Elapsed.TotalSeconds:0.0} s after it ended");
            Assert.All(during, d => Assert.Equal(HttpStatusCode.ServiceUnavailable, d.Status));
        }
    }

    [Fact]
    public async Task Readiness_is_503_while_the_SQS_server_is_stopped_and_answers_at_once()
    {
        await using var sut = await ServiceUnderTest.CreateAsync(Broker.AmazonSqs);
        var sqs = new Uri(TestServers.SqsUrl);
        await using var proxy = new TcpProxy(sqs.Host, sqs.Port);
        sut.Environment["Transport__AmazonSqs__ServiceUrl"] = $"http://127.0.0.1:{proxy.Port}";
        await using var host = await sut.StartHostAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var probe = new Readiness(http, host.Port);

        proxy.Refuse();
        var down = await probe.WaitForAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "SQS server stopped");
        var during = await probe.SampleAsync(TimeSpan.FromSeconds(3));
        proxy.Resume();
        var back = await probe.WaitForAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60), "after the SQS server came back");
        output.WriteLine($"SQS server stopped: 503 after {down.Elapsed.TotalSeconds:0.0} s; slowest answer {probe.Slowest.TotalMilliseconds:0} ms; " +
            $"200 again {back.Elapsed.TotalSeconds:0.0} s after it was back");
        Assert.All(during, d => Assert.Equal(HttpStatusCode.ServiceUnavailable, d.Status));
    }

    [Fact]
    public async Task Readiness_is_503_while_the_Service_Bus_namespace_is_unreachable_and_answers_at_once()
    {
        await using var sut = await ServiceUnderTest.CreateAsync(Broker.AzureServiceBus);
        var emulator = Azure.Messaging.ServiceBus.ServiceBusConnectionStringProperties.Parse(TestServers.ServiceBusConnectionString);
        // AMQP and the administration API share the emulator's port (UseDevelopmentEmulator), so one proxy covers both.
        await using var proxy = new TcpProxy(emulator.Endpoint.Host, emulator.Endpoint.Port);
        sut.Environment["Transport__AzureServiceBus__ConnectionString"] = $"Endpoint=sb://127.0.0.1:{proxy.Port};SharedAccessKeyName={emulator.SharedAccessKeyName};" +
            $"SharedAccessKey={emulator.SharedAccessKey};UseDevelopmentEmulator=true";
        await using var host = await sut.StartHostAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var probe = new Readiness(http, host.Port);

        proxy.Refuse();
        var down = await probe.WaitForAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "Service Bus unreachable");
        var during = await probe.SampleAsync(TimeSpan.FromSeconds(3));
        proxy.Resume();
        (HttpStatusCode Status, TimeSpan Elapsed) back;
        try
        {
            back = await probe.WaitForAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60), "after Service Bus was reachable again");
        }
        catch (Xunit.Sdk.XunitException)
        {
            output.WriteLine(await http.GetStringAsync($"http://127.0.0.1:{host.Port}/health/ready").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : t.Exception!.Message));
            output.WriteLine(host.Output);
            throw;
        }
        output.WriteLine($"Service Bus unreachable: 503 after {down.Elapsed.TotalSeconds:0.0} s; slowest answer {probe.Slowest.TotalMilliseconds:0} ms; " +
            $"200 again {back.Elapsed.TotalSeconds:0.0} s after it was back");
        Assert.All(during, d => Assert.Equal(HttpStatusCode.ServiceUnavailable, d.Status));
    }

    /// <summary>Asks /health/ready and records how long every answer took.</summary>
    private sealed class Readiness(HttpClient http, int port)
    {
        public TimeSpan Slowest { get; private set; }

        public async Task<(HttpStatusCode Status, TimeSpan AnswerTime)> AskAsync()
        {
            var watch = Stopwatch.StartNew();
            // As the kubelet asks: an answer later than the probe's timeout is no answer (a probe that hangs is as bad as one that lies).
            using var probeTimeout = new CancellationTokenSource(ProbeTimeout);
            HttpResponseMessage response;
            try
            {
                response = await http.GetAsync($"http://127.0.0.1:{port}/health/ready", probeTimeout.Token);
            }
            catch (OperationCanceledException) when (probeTimeout.IsCancellationRequested)
            {
                throw new Xunit.Sdk.XunitException($"readiness gave no answer within the probe's timeoutSeconds ({ProbeTimeout.TotalSeconds} s)");
            }
            using var answered = response;
            var took = watch.Elapsed;
            if (took > Slowest) Slowest = took;
            return (response.StatusCode, took);
        }

        public async Task<(HttpStatusCode Status, TimeSpan Elapsed)> WaitForAsync(HttpStatusCode expected, TimeSpan patience, string what)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                var (status, _) = await AskAsync();
                if (status == expected) return (status, watch.Elapsed);
                if (watch.Elapsed > patience) throw new Xunit.Sdk.XunitException($"{what}: readiness was still {(int)status} after {patience.TotalSeconds} s, expected {(int)expected}.");
                await Task.Delay(200);
            }
        }

        public async Task<List<(HttpStatusCode Status, TimeSpan AnswerTime)>> SampleAsync(TimeSpan duration)
        {
            var answers = new List<(HttpStatusCode, TimeSpan)>();
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < duration)
            {
                answers.Add(await AskAsync());
                await Task.Delay(100);
            }
            return answers;
        }
    }
}
