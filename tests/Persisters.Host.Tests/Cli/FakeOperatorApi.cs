using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Persisters.Tests.Cli;

/// <summary>
/// A FAKE of the service's operator API, for the answers a healthy real service does not give on demand: a 504 (the lifecycle gave no
/// answer), an answer slower than the CLI's <c>--timeout</c>, a 503 (the service cannot take the command now) and a 500 (it failed on the
/// command). A test sets <see cref="Override"/> to the answer it needs, written as the real API writes it (Problem Details, RFC 9457, with
/// <c>detail</c>; src/Host/Api/OperatorCommandClient.cs); every other request is a plain 404, as from a server that is not the operator
/// API. Every answer the real service can give (accepted, 404/409/422 rejections, refused keys, lists) is tested against the real
/// <c>persisters run</c> (<see cref="RunningService"/>), not here. Kestrel on 127.0.0.1 and a free port, so the real <c>persisters</c>
/// executable can talk to it.
/// </summary>
public sealed class FakeOperatorApi : IAsyncDisposable
{
    /// <summary>Any key will do: the fake gives only the answers <see cref="Override"/> makes.</summary>
    public const string AdminKey = "pk_fake_admin-key-of-the-fake-operator-api";

    private readonly WebApplication _app;

    private FakeOperatorApi(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>When set and it returns a result, that is the answer (a 504, a 503, a slow answer); otherwise 404.</summary>
    public Func<HttpRequest, Task<IResult?>>? Override { get; set; }

    public static async Task<FakeOperatorApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeOperatorApi(app);
        app.Use(async (context, next) =>
        {
            if (fake.Override is { } o && await o(context.Request) is { } answer) await answer.ExecuteAsync(context);
            else await next(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.Url = new Uri(address);
        return fake;
    }

    /// <summary>The environment that points the <c>persisters</c> executable at this fake with a key.</summary>
    public Dictionary<string, string?> Environment() => new()
    {
        ["PERSISTERS_URL"] = Url.ToString(),
        ["PERSISTERS_API_KEY"] = AdminKey,
    };

    /// <summary>A Problem Details answer (RFC 9457) as the real API writes one: <paramref name="status"/>, <c>title</c>, <c>detail</c>.</summary>
    public static IResult Problem(int status, string title, string detail) => Results.Problem(detail: detail, statusCode: status, title: title);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
