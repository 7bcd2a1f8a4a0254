using System.Net.Http.Headers;
using System.Text;

namespace Persisters.Scheduling.Tests.Integration;

public static class RabbitCleanup
{
    /// <summary>Deletes the test's queues and exchanges through the management API (best effort).</summary>
    public static async Task Delete(params string[] names)
    {
        using var http = new HttpClient { BaseAddress = TestServers.RabbitMqManagement, Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        foreach (var name in names.SelectMany(n => new[] { n, n + "_error", n + "_skipped" }))
        {
            try
            {
                await http.DeleteAsync($"api/queues/%2F/{Uri.EscapeDataString(name)}");
                await http.DeleteAsync($"api/exchanges/%2F/{Uri.EscapeDataString(name)}");
            }
            catch (Exception)
            {
                // best effort
            }
        }
    }
}
