using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Persisters.Host.Cli;

/// <summary>
/// The HTTP side of the operator verbs: one request to the service's operator API (<c>/v1/experiments…</c>,
/// <c>/v1/auto-ops-rules…</c>) with an admin key, its answer printed, and the answer's HTTP status turned into the CLI's exit code.
/// No host, no broker and no database in this process: the service, on whatever transport it runs, applies the command.
/// </summary>
/// <remarks>
/// Exit codes (<see cref="PersistersCommandLine"/>): 200 → 0 and <c>accepted: …</c> on standard output; 400, 404, 409, 422 →
/// 1 and <c>rejected: …</c> with the Problem Details <c>detail</c> (the saga's or rule consumer's reason) and the
/// <c>experimentStatus</c> / <c>ruleStatus</c> extension on standard output;
/// 401 and 403 → 2 (the API key is a setting); 504, or no answer within <c>--timeout</c> → 3; connection refused, a name that does
/// not resolve, or 503 (the service cannot reach its broker or database now) → 4; any other answer → 5. Everything but the
/// accepted and rejected lines goes to standard error, one line, never a stack trace.
/// </remarks>
public sealed class OperatorApiClient(OperatorConnection connection, TextWriter output, TextWriter error)
{
    /// <summary>Reads enums by name or number (the API writes names), writes numbers (any ASP.NET Core binder takes them), camelCase.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly JsonSerializerOptions ReadJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// Sends <paramref name="method"/> <paramref name="path"/> (with <paramref name="body"/> as JSON when given) and prints the answer;
    /// <paramref name="what"/> names the object in the printed line (<c>experiment 3f0c…</c>, <c>rule 3f0c…</c>).
    /// </summary>
    /// <param name="describe">The accepted line's text after <c>accepted: </c>, from the 200 answer's JSON object.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> SendAsync(HttpMethod method, string path, object? body, string what, Func<JsonElement, string> describe, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        return await ExchangeAsync(request, async response =>
        {
            if (response.StatusCode == HttpStatusCode.OK && await JsonObjectAsync(response, ct) is { } answer)
            {
                await output.WriteLineAsync($"accepted: {describe(answer)}");
                return PersistersCommandLine.Done;
            }
            return await RejectionAsync(response, what, ct);
        }, ct);
    }

    /// <summary>GETs a JSON array at <paramref name="path"/> and hands its elements to <paramref name="print"/> (a 200 answer only).</summary>
    public async Task<int> ListAsync<T>(string path, string what, Func<IReadOnlyList<T>, TextWriter, Task> print, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await ExchangeAsync(request, async response =>
        {
            if (response.StatusCode != HttpStatusCode.OK) return await RejectionAsync(response, what, ct);
            List<T>? items;
            try
            {
                items = await response.Content.ReadFromJsonAsync<List<T>>(ReadJson, ct);
            }
            catch (JsonException ex)
            {
                return await UnexpectedAsync(response, $"the list is not the API's JSON array ({ex.Message})");
            }
            await print(items ?? [], output);
            return PersistersCommandLine.Done;
        }, ct);
    }

    private async Task<int> ExchangeAsync(HttpRequestMessage request, Func<HttpResponseMessage, Task<int>> answer, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = connection.Url, Timeout = Timeout.InfiniteTimeSpan };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(connection.Timeout);
        try
        {
            using var response = await http.SendAsync(request, deadline.Token);
            return await answer(response);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await error.WriteLineAsync($"no answer within {connection.Timeout.TotalSeconds:0.#} s from {connection.Url} (--timeout): is the service busy or stuck? Its log says why.");
            return PersistersCommandLine.NoAnswer;
        }
        catch (HttpRequestException ex)
        {
            var why = ex.InnerException is SocketException socket ? socket.Message : ex.Message;
            await error.WriteLineAsync($"could not reach the service at {connection.Url}: {why}. Is it running there? " +
                                       $"(--url, environment: {OperatorConnection.UrlVariable})");
            return PersistersCommandLine.SendRefused;
        }
    }

    /// <summary>Every answer but 200: a rejection with its reason, or what the status means for the operator.</summary>
    private async Task<int> RejectionAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var problem = await ProblemAsync(response, ct);
        var detail = problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? "";
        switch (response.StatusCode)
        {
            case HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity:
            case HttpStatusCode.NotFound when problem is not null:
                var subject = problem?.Subject is { } id ? $"{what.Split(' ')[0]} {id}" : what;
                await output.WriteLineAsync($"rejected: {subject}: {detail}" + (problem?.Status is { } status ? $" (status {status})" : ""));
                return PersistersCommandLine.Rejected;
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                await error.WriteLineAsync($"the service refused the API key ({(int)response.StatusCode}): {detail}. Give an admin key with --api-key " +
                                           $"or {OperatorConnection.ApiKeyVariable} (persisters keys create --role admin --name NAME).");
                return PersistersCommandLine.BadSettingOrOption;
            case HttpStatusCode.GatewayTimeout:
                await error.WriteLineAsync($"no answer: {detail} (504 from {connection.Url}; the command may still be applied, list to see)");
                return PersistersCommandLine.NoAnswer;
            case HttpStatusCode.ServiceUnavailable:
                var retry = response.Headers.RetryAfter?.Delta is { } delta ? $", retry after {delta.TotalSeconds:0} s" : "";
                await error.WriteLineAsync($"the service cannot take the command now: {detail} (503{retry})");
                return PersistersCommandLine.SendRefused;
            default:
                return await UnexpectedAsync(response, detail);
        }
    }

    private async Task<int> UnexpectedAsync(HttpResponseMessage response, string detail)
    {
        var hint = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed
            ? $"; is {connection.Url} a persisters service of this version?"
            : "; the service's log says why";
        await error.WriteLineAsync($"the service failed on the command: {(int)response.StatusCode} {response.ReasonPhrase} {response.RequestMessage?.RequestUri?.AbsolutePath}" +
                                   (detail.Length > 0 ? $": {detail}" : "") + hint);
        return PersistersCommandLine.ServiceFailed;
    }

    private static async Task<JsonElement?> JsonObjectAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var element = await response.Content.ReadFromJsonAsync<JsonElement>(ReadJson, ct);
            return element.ValueKind == JsonValueKind.Object ? element : null;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>RFC 9457 Problem Details, when the body is one; null for an empty or other body.</summary>
    private static async Task<Problem?> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (await JsonObjectAsync(response, ct) is not { } body) return null;
        string? Text(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new Problem(Text("title"), Text("detail"), Text("experimentId") ?? Text("ruleId"), Text("experimentStatus") ?? Text("ruleStatus"));
    }

    /// <summary>The Problem Details fields the CLI prints; <c>Status</c> is the extension with the experiment's or rule's unchanged status.</summary>
    private sealed record Problem(string? Title, string? Detail, string? Subject, string? Status);
}

/// <summary>
/// Where the operator verbs find the service: <c>--url</c> (environment <see cref="UrlVariable"/>, default <see cref="DefaultUrl"/>,
/// the service's own default <c>Urls</c>), <c>--api-key</c> (environment <see cref="ApiKeyVariable"/>, or the file
/// <see cref="ApiKeyFileVariable"/> names, as a container secret), and <c>--timeout</c> in seconds for the whole exchange.
/// </summary>
public sealed record OperatorConnection(Uri Url, string ApiKey, TimeSpan Timeout)
{
    public const string UrlVariable = "PERSISTERS_URL";
    public const string ApiKeyVariable = "PERSISTERS_API_KEY";
    public const string ApiKeyFileVariable = "PERSISTERS_API_KEY_FILE";
    public const string DefaultUrl = "http://127.0.0.1:5080";
}
