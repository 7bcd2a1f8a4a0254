using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Persisters.Tests.Support;

/// <summary>
/// A real HTTP endpoint (Kestrel on 127.0.0.1, a free port) that receives kill-switch webhooks: it checks each request's
/// <c>X-Persisters-Signature</c> against its own HMAC-SHA256 of the body under <see cref="Secret"/>, records it, and answers with
/// the next status of <see cref="Answers"/> (200 when empty).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, string secret)
    {
        _app = app;
        Secret = secret;
    }

    public string Secret { get; }
    public string Url { get; private set; } = "";
    public ConcurrentQueue<int> Answers { get; } = new();
    public ConcurrentQueue<Received> Requests { get; } = new();

    public sealed record Received(string Body, string? Signature, bool SignatureValid, string? IdempotencyKey, string? ContentType, int Answer);

    public static async Task<WebhookReceiver> StartAsync(string secret = "a-webhook-secret-of-some-length")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, secret);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(receiver.Secret), body));
            var signature = http.Request.Headers["X-Persisters-Signature"].ToString();
            var answer = receiver.Answers.TryDequeue(out var a) ? a : 200;
            receiver.Requests.Enqueue(new Received(Encoding.UTF8.GetString(body), signature,
                CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)),
                http.Request.Headers["Idempotency-Key"].ToString(), http.Request.ContentType, answer));
            return Results.StatusCode(answer);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
