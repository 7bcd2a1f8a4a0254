using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MassTransit;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.RabbitMqTransport.Middleware;
using MassTransit.Transports;
using Persisters.Consumers.Demand;
using RabbitMqTransportOptions = Persisters.Host.Configuration.RabbitMqTransportOptions;

namespace Persisters.Host.Hosting;

/// <summary>
/// <see cref="IReceiveEndpointTopologyDeployer"/> for RabbitMQ. Topology: the endpoint's configuration is built from the bus's
/// own host, so its <see cref="RabbitMqReceiveEndpointContext.BrokerTopology"/> (queue, endpoint exchange, message-type
/// exchanges, bindings, queue arguments) is exactly what the endpoint declares when it connects; it is applied on a channel
/// of the bus's connection with MassTransit's own topology filter, and no <c>basic.consume</c> is ever issued.
/// </summary>
/// <remarks>
/// Retention is a RabbitMQ <em>policy</em> (<c>message-ttl</c>), set through the management HTTP API
/// (<c>PUT /api/policies/{vhost}/persisters-queue-retention</c>, pattern = the exact queue names, apply-to queues, priority 0).
/// A policy applies to queues that already exist without redeclaring them; an <c>x-message-ttl</c> queue argument would make
/// every later declare of an existing queue fail with <c>406 PRECONDITION_FAILED</c>. The broker drops expired messages whoever
/// published them. RabbitMQ applies one policy per queue (the highest priority): a queue that follows another policy is
/// reported, since that policy then needs its own <c>message-ttl</c>. The user needs the <c>policymaker</c> tag.
/// </remarks>
public sealed class RabbitMqReceiveEndpointTopologyDeployer(IBusInstance bus, RabbitMqTransportOptions options)
    : IReceiveEndpointTopologyDeployer
{
    /// <summary>The name of the policy this service owns in its virtual host.</summary>
    public const string RetentionPolicyName = "persisters-queue-retention";

    public async Task DeployAsync(string queueName, Action<IReceiveEndpointConfigurator> configure, CancellationToken cancellationToken)
    {
        if (bus.HostConfiguration is not IRabbitMqHostConfiguration host)
            throw new NotSupportedException($"The bus does not run on RabbitMQ ({bus.HostConfiguration.GetType().Name}).");
        var configuration = host.CreateReceiveEndpointConfiguration(queueName, e => configure(e));
        if (configuration.CreateReceiveEndpointContext() is not RabbitMqReceiveEndpointContext context)
            throw new NotSupportedException("The RabbitMQ receive endpoint context has an unexpected type.");

        var topology = new ConfigureRabbitMqTopologyFilter<ReceiveSettings>(configuration.Settings, context.BrokerTopology);
        var channels = context.ChannelContextSupervisor;
        try
        {
            await channels.Send(Pipe.ExecuteAsync<ChannelContext>(channel => topology.Configure(channel, cancellationToken)), cancellationToken);
        }
        finally
        {
            await channels.Stop("topology deployed", CancellationToken.None);
        }
    }

    private ChannelContextSupervisor? _stateChannel;

    /// <summary>A passive declare on a channel of the bus's connection (kept for the next check): ready messages and consumers.</summary>
    public async Task<QueueState?> GetQueueStateAsync(string queueName, CancellationToken cancellationToken)
    {
        if (bus.HostConfiguration is not IRabbitMqHostConfiguration host)
            throw new NotSupportedException($"The bus does not run on RabbitMQ ({bus.HostConfiguration.GetType().Name}).");
        _stateChannel ??= new ChannelContextSupervisor(host.ConnectionContextSupervisor, 1);
        QueueState? state = null;
        await _stateChannel.Send(Pipe.ExecuteAsync<ChannelContext>(async channel =>
        {
            var ok = await channel.QueueDeclarePassive(queueName, cancellationToken);
            state = new QueueState(ok.MessageCount, ok.ConsumerCount);
        }), cancellationToken);
        return state;
    }

    public async Task<string> ApplyRetentionAsync(IReadOnlyCollection<string> queueNames, TimeSpan retention, CancellationToken cancellationToken)
    {
        using var http = CreateClient();
        var vhost = Uri.EscapeDataString(options.VirtualHost);
        var pattern = "^(" + string.Join("|", queueNames.Select(Regex.Escape)) + ")$";
        var policy = new Dictionary<string, object>
        {
            ["pattern"] = pattern,
            ["definition"] = new Dictionary<string, object> { ["message-ttl"] = (long)retention.TotalMilliseconds },
            ["priority"] = 0,
            ["apply-to"] = "queues",
        };
        using (var response = await http.PutAsJsonAsync($"api/policies/{vhost}/{RetentionPolicyName}", policy, cancellationToken))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(
                    $"RabbitMQ management API {http.BaseAddress} refused the policy {RetentionPolicyName} ({(int)response.StatusCode} {response.ReasonPhrase}: " +
                    $"{await response.Content.ReadAsStringAsync(cancellationToken)}). The user needs the policymaker tag; or set Persisters__QueueRetention=00:00:00 " +
                    "and bound the queues yourself.");
            }
        }

        // One policy per queue: name the queues that follow another one (their message-ttl is that policy's business).
        var others = new List<string>();
        foreach (var queue in queueNames)
        {
            using var response = await http.GetAsync($"api/queues/{vhost}/{Uri.EscapeDataString(queue)}", cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound || !response.IsSuccessStatusCode) continue;
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (doc.RootElement.TryGetProperty("policy", out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } name
                && name != RetentionPolicyName)
            {
                others.Add($"{queue} follows policy {name}");
            }
        }
        var applied = $"policy {RetentionPolicyName} (message-ttl {retention}) in virtual host {options.VirtualHost}";
        return others.Count == 0
            ? applied
            : throw new InvalidOperationException(
                $"{applied} is set, but RabbitMQ applies one policy per queue: {string.Join("; ", others)}. Add message-ttl to that policy, " +
                "or set Persisters__QueueRetention=00:00:00 to manage retention yourself.");
    }

    private HttpClient CreateClient()
    {
        var http = new HttpClient();
        http.BaseAddress = options.EffectiveManagementUrl;
        http.Timeout = TimeSpan.FromSeconds(10);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        return http;
    }
}
