using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Persisters.IntegrationTests.Support;

/// <summary>A throw-away RabbitMQ virtual host (so tests never see each other's queues), and its management API.</summary>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _http;

    private RabbitMqVirtualHost(string name, HttpClient http)
    {
        Name = name;
        _http = http;
    }

    public string Name { get; }

    /// <param name="management">The broker's management API (default: the shared test RabbitMQ's).</param>
    public static async Task<RabbitMqVirtualHost> CreateAsync(Uri? management = null)
    {
        var http = new HttpClient { BaseAddress = management ?? TestServers.RabbitMqManagement };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestServers.RabbitMqUser}:{TestServers.RabbitMqPassword}")));
        var vhost = new RabbitMqVirtualHost("persisters-it-" + Guid.NewGuid().ToString("N")[..12], http);
        (await http.PutAsync($"/api/vhosts/{vhost.Name}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"/api/permissions/{vhost.Name}/{TestServers.RabbitMqUser}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return vhost;
    }

    /// <summary>Messages ready in a queue, and its consumers (0 when the queue does not exist).</summary>
    public async Task<(long Messages, long Consumers)> QueueAsync(string queue)
    {
        // The management API refreshes its counters every few seconds; ask for a fresh reading.
        var response = await _http.GetAsync($"/api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return (0, 0);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        return (root.TryGetProperty("messages", out var m) ? m.GetInt64() : 0, root.TryGetProperty("consumers", out var c) ? c.GetInt64() : 0);
    }

    /// <summary>The policy the broker applies to a queue and its effective message-ttl in ms (null when none).</summary>
    public async Task<(string? Policy, long? MessageTtl)> QueuePolicyAsync(string queue)
    {
        var response = await _http.GetAsync($"/api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        var policy = root.TryGetProperty("policy", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        long? ttl = root.TryGetProperty("effective_policy_definition", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("message-ttl", out var t)
            ? t.GetInt64()
            : null;
        return (policy, ttl);
    }

    public async Task<bool> QueueExistsAsync(string queue)
    {
        var response = await _http.GetAsync($"/api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        return response.StatusCode != System.Net.HttpStatusCode.NotFound && response.IsSuccessStatusCode;
    }

    /// <summary>Consumers per queue from the broker's consumer list (updated as consumers come and go, not on the stats interval).</summary>
    public async Task<IReadOnlyDictionary<string, int>> ConsumersAsync()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync($"/api/consumers/{Uri.EscapeDataString(Name)}"));
        return doc.RootElement.EnumerateArray()
            .Select(c => c.GetProperty("queue").GetProperty("name").GetString()!)
            .GroupBy(q => q, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    /// <summary>Takes up to <paramref name="count"/> messages off a queue and returns their headers.</summary>
    public async Task<IReadOnlyList<Dictionary<string, string>>> TakeHeadersAsync(string queue, int count)
    {
        var response = await _http.PostAsJsonAsync($"/api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_false", encoding = "auto" });
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var result = new List<Dictionary<string, string>>();
        foreach (var message in doc.RootElement.EnumerateArray())
        {
            var headers = new Dictionary<string, string>();
            if (message.GetProperty("properties").TryGetProperty("headers", out var h))
            {
                foreach (var p in h.EnumerateObject()) headers[p.Name] = p.Value.ToString();
            }
            result.Add(headers);
        }
        return result;
    }

    /// <summary>
    /// Deletes the virtual host. A broker that cannot be reached (a chaos test's private broker that failed to restart) is
    /// not an error here: the test has already failed with its own reason, which a dispose exception would hide.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _http.DeleteAsync($"/api/vhosts/{Name}");
        }
        catch (HttpRequestException)
        {
        }
        _http.Dispose();
    }
}
