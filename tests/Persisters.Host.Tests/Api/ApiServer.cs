using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Persisters.Host.Ingest;
using Persisters.Tests.Ingest;

namespace Persisters.Tests.Api;

/// <summary>
/// The service as <c>persisters run</c> composes it (<see cref="IngestServer"/>: the real lifecycle saga, rule consumer and calculator on the
/// embedded default, in ASP.NET Core's TestServer) with an admin key for environment <see cref="Env"/>, and calls of the operator API.
/// </summary>
internal sealed class ApiServer : IAsyncDisposable
{
    public const string Env = "prod";

    private ApiServer(IngestServer server, string adminKey)
    {
        Server = server;
        AdminKey = adminKey;
    }

    public IngestServer Server { get; }
    public string AdminKey { get; }

    public static async Task<ApiServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var server = await IngestServer.StartAsync(settings);
        return new ApiServer(server, await server.CreateKeyAsync(ApiKeyRole.Admin, Env));
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? key = null) => SendAsync(HttpMethod.Get, path, null, key ?? AdminKey);

    public Task<HttpResponseMessage> PostAsync(string path, string? body = null, string? key = null) => SendAsync(HttpMethod.Post, path, body, key ?? AdminKey);

    public Task<HttpResponseMessage> DeleteAsync(string path, string? key = null) => SendAsync(HttpMethod.Delete, path, null, key ?? AdminKey);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string? key)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        if (key is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        return await Server.Client.SendAsync(request);
    }

    /// <summary>The answer's JSON after checking its status (the body is in the message when it differs).</summary>
    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {response.StatusCode}, expected {(int)expected}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The Problem Details of an error answer: its media type, status and detail checked; the document returned.</summary>
    public static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string? detail = null)
    {
        var problem = await JsonAsync(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
        if (detail is not null) Assert.Equal(detail, problem["detail"]!.GetValue<string>());
        return problem;
    }

    /// <summary>Creates a running experiment in <see cref="Env"/> (flag checkout-button v1, variations blue/green, goal purchase) and returns its id.</summary>
    public async Task<Guid> CreateRunningExperimentAsync(string feature = "checkout-button")
    {
        var answer = await JsonAsync(await PostAsync("/v1/experiments",
            $$"""{"environmentId":"{{Env}}","featureId":"{{feature}}","featureVersion":1,"variationIds":["blue","green"],"goalIds":["purchase"]}"""), HttpStatusCode.OK);
        Assert.Equal("Running", answer["status"]!.GetValue<string>());
        return Guid.Parse(answer["experimentId"]!.GetValue<string>());
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
