using System.Net.Http.Json;

namespace Persisters.Bench.Shared;

/// <summary>A bench's own RabbitMQ virtual host, and the settings of a host process that uses it.</summary>
public static class RabbitMqBench
{
    /// <summary>
    /// Deletes <paramref name="vhost"/> with everything in it, creates it again and gives the user <c>guest</c> every
    /// permission on it, through the management HTTP API (<paramref name="management"/> authenticated as guest).
    /// </summary>
    /// <exception cref="HttpRequestException">The management API refused to create the virtual host or set the permissions.</exception>
    public static async Task RecreateVirtualHostAsync(HttpClient management, string vhost)
    {
        await management.DeleteAsync($"/api/vhosts/{vhost}");
        (await management.PutAsync($"/api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"/api/permissions/{vhost}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// The settings, in environment form (<c>Section__Key</c>), of a host on RabbitMQ (<paramref name="vhost"/> as guest) and
    /// MySQL (<paramref name="connectionString"/>), logging warnings and worse.
    /// </summary>
    public static Dictionary<string, string> HostEnvironment(string rabbitHost, ushort rabbitPort, string vhost, string connectionString) => new()
    {
        ["Transport__Kind"] = "RabbitMq",
        ["Transport__RabbitMq__Host"] = rabbitHost,
        ["Transport__RabbitMq__Port"] = rabbitPort.ToString(),
        ["Transport__RabbitMq__VirtualHost"] = vhost,
        ["Transport__RabbitMq__Username"] = "guest",
        ["Transport__RabbitMq__Password"] = "guest",
        ["Database__Provider"] = "MySql",
        ["Database__ConnectionString"] = connectionString,
        ["Logging__LogLevel__Default"] = "Warning",
    };
}
