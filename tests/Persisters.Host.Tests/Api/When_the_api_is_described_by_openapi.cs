using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Host.Ingest;

namespace Persisters.Tests.Api;

/// <summary>The OpenAPI document and its Scalar reference page describe every endpoint that takes an API key.</summary>
public sealed class When_the_api_is_described_by_openapi
{
    [Fact]
    public async Task Every_mapped_route_behind_a_key_is_in_the_document_with_a_summary_responses_and_the_key_scheme()
    {
        await using var api = await ApiServer.StartAsync();
        var response = await api.Server.Client.GetAsync("/openapi/v1.json");
        var document = await ApiServer.JsonAsync(response, HttpStatusCode.OK);
        var paths = document["paths"]!.AsObject();

        var mapped = api.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<RequireApiKey>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Route: Template(e.RoutePattern.RawText!), Method: m.ToLowerInvariant())))
            .ToList();
        Assert.Contains(("/v1/events", "post"), mapped);
        Assert.Contains(("/register_events", "post"), mapped);
        Assert.Contains(("/v1/experiments/{experimentId}/results/{goalId}.svg", "get"), mapped);
        Assert.True(mapped.Count >= 17, string.Join(", ", mapped));
        foreach (var (route, method) in mapped)
        {
            var operation = paths[route]?[method];
            Assert.True(operation is not null, $"{method} {route} is not in the OpenAPI document; it has {string.Join(", ", paths.Select(p => p.Key))}");
            Assert.False(string.IsNullOrEmpty(operation["summary"]?.GetValue<string>()), $"{method} {route} has no summary");
            Assert.False(string.IsNullOrEmpty(operation["description"]?.GetValue<string>()), $"{method} {route} has no description");
            var responses = operation["responses"]!.AsObject();
            Assert.True(responses.Any(r => r.Key.StartsWith('2')), $"{method} {route} names no success answer");
            Assert.Contains("401", responses.Select(r => r.Key));
            Assert.Contains("403", responses.Select(r => r.Key));
            Assert.Equal("apiKey", Assert.Single(operation["security"]!.AsArray())!.AsObject().Single().Key);
        }
        Assert.Equal("Authorization", document["components"]!["securitySchemes"]!["apiKey"]!["name"]!.GetValue<string>());
        var problem = paths["/v1/experiments/{experimentId}/stop"]!["post"]!["responses"]!["409"]!["content"]!.AsObject();
        Assert.Contains("application/problem+json", problem.Select(c => c.Key));

        Assert.Equal("integer", document["components"]!["schemas"]!["ExperimentResultDocument"]!["properties"]!["calculatedAt"]!["type"]!.GetValue<string>());
        Assert.Equal(["Waiting", "Running", "Stopped", "ForceStopped", "Finished"],
            document["components"]!["schemas"]!["ExperimentStatus"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));

        var reference = await api.Server.Client.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Equal("text/html", reference.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A route pattern as OpenAPI writes it: constraints and a group's trailing slash dropped (<c>{experimentId:guid}</c> → <c>{experimentId}</c>).</summary>
    private static string Template(string raw) =>
        System.Text.RegularExpressions.Regex.Replace("/" + raw.Trim('/'), @"\{([^}:]+):[^}]+\}", "{$1}");
}
