using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Persisters.Host.Ingest;

namespace Persisters.Tests.Api;

/// <summary>
/// Every error answer of the API is Problem Details (as the README promises), including the ones routing writes without a body (404, 405,
/// 415), and a body of the wrong form is answered naming the field and the form it must have, never a .NET type name.
/// </summary>
public sealed class When_the_api_answers_an_error : IAsyncLifetime
{
    private ApiServer _api = null!;

    public async Task InitializeAsync() => _api = await ApiServer.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData("GET", "/v1/nothing-here")]
    [InlineData("GET", "/v1/experiments/3f2504e0-4f89-11d3-9a0c-0305e82c3301/nothing-here")]
    [InlineData("DELETE", "/v1/events")]
    public async Task An_unknown_route_or_method_under_v1_is_problem_details(string method, string path)
    {
        var response = await _api.SendAsync(new HttpMethod(method), path, null, _api.AdminKey);
        var problem = await ApiServer.ProblemAsync(response, method == "GET" ? HttpStatusCode.NotFound : HttpStatusCode.MethodNotAllowed);
        Assert.Contains(path, problem["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v1/events", "application/x-www-form-urlencoded")] // what curl -d sends when no Content-Type is given
    [InlineData("/v1/events", "text/plain")]
    [InlineData("/v1/experiments", "application/x-www-form-urlencoded")]
    public async Task A_body_of_another_content_type_is_415_problem_details_naming_the_expected_one(string path, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _api.AdminKey);
        var problem = await ApiServer.ProblemAsync(await _api.Server.Client.SendAsync(request), HttpStatusCode.UnsupportedMediaType);
        Assert.Equal($"send the body as JSON with Content-Type: application/json (got {contentType})", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_html_path_keeps_html_answers()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/experiments/not-a-page/at-all");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        var response = await _api.Server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("period", """{"startAt":"x","stopAt":1}""", "startAt must be a whole number (unix seconds)")]
    [InlineData("period", """{"startAt":1,"stopAt":true}""", "stopAt must be a whole number (unix seconds)")]
    [InlineData("create", """{"environmentId":5,"featureId":"f","featureVersion":1,"variationIds":["a","b"],"goalIds":["g"]}""", "environmentId must be a string")]
    [InlineData("create", """{"environmentId":"prod","featureId":"f","featureVersion":"one","variationIds":["a","b"],"goalIds":["g"]}""", "featureVersion must be a whole number")]
    [InlineData("create", """{"environmentId":"prod","featureId":"f","featureVersion":1,"variationIds":"a","goalIds":["g"]}""", "variationIds must be an array")]
    [InlineData("create", """{"environmentId":"prod","featureId":"f","featureVersion":1,"variationIds":["a",3],"goalIds":["g"]}""", "variationIds[1] must be a string")]
    [InlineData("create", """{"experimentId":"nope","environmentId":"prod","featureId":"f","featureVersion":1,"variationIds":["a","b"],"goalIds":["g"]}""", "experimentId must be a UUID string (e.g. 3f2504e0-4f89-11d3-9a0c-0305e82c3301)")]
    public async Task A_field_of_the_wrong_form_is_named_with_its_form_and_no_dotnet_type(string endpoint, string body, string detail)
    {
        var path = endpoint == "period" ? $"/v1/experiments/{await _api.CreateRunningExperimentAsync()}/period" : "/v1/experiments";
        var problem = await ApiServer.ProblemAsync(await _api.PostAsync(path, body), HttpStatusCode.BadRequest, detail);
        Assert.DoesNotContain("Persisters.", problem.ToJsonString());
        Assert.DoesNotContain("System.", problem.ToJsonString());
    }

    [Fact]
    public async Task An_event_field_of_the_wrong_form_is_rejected_naming_the_field()
    {
        var ingest = await _api.Server.CreateKeyAsync(ApiKeyRole.Ingest, ApiServer.Env);
        var body = """{"evaluationEvents":[{"id":"e1","timestamp":"yesterday","environmentId":"prod","featureId":"f","featureVersion":1,"userId":"u","variationId":"a"}]}""";
        var response = await _api.SendAsync(HttpMethod.Post, EventsEndpoint.Path, body, ingest);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rejected = Assert.Single(JsonNode.Parse(text)!["rejected"]!.AsArray());
        Assert.StartsWith("timestamp", rejected!["message"]!.GetValue<string>());
        Assert.DoesNotContain("Persisters.", text);
    }
}
