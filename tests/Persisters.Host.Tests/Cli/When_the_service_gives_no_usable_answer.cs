using System.Net;
using Microsoft.AspNetCore.Http;

namespace Persisters.Tests.Cli;

/// <summary>
/// Issue 14.5, the answers a healthy service does not give on demand: exit 3 for no answer (a 504, or nothing within <c>--timeout</c>),
/// 4 for a service that cannot be reached or answers 503, 5 for any other answer (a 500, a 404 from something that is not the operator API).
/// The real <c>persisters</c> executable runs against <see cref="FakeOperatorApi"/>, which is told to give them; everything a real service
/// can answer is tested against the real one (<see cref="When_operators_drive_the_service_over_HTTP"/>).
/// </summary>
public sealed class When_the_service_gives_no_usable_answer : IAsyncLifetime
{
    private FakeOperatorApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeOperatorApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<(int Exit, string Out, string All)> RunAsync(params string[] args) => await RunAsync(_api.Environment(), args);

    private static Task<(int Exit, string Out, string All)> RunAsync(Dictionary<string, string?> environment, params string[] args) =>
        Verb.RunAsync(environment, args);

    private static string[] Lines(string text) => Verb.Lines(text);

    [Fact]
    public async Task No_answer_exits_3_whether_the_service_says_504_or_the_timeout_passes()
    {
        _api.Override = request => Task.FromResult<IResult?>(request.Path.Value!.EndsWith("/start")
            ? FakeOperatorApi.Problem(504, "No answer", "the experiment lifecycle gave no answer within 00:00:10")
            : null);
        var gatewayTimeout = await RunAsync("experiments", "start", "--id", Guid.NewGuid().ToString());
        _api.Override = async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30));
            return null;
        };
        var slow = await RunAsync("autoops", "stop", "--id", Guid.NewGuid().ToString(), "--timeout", "1");

        Assert.True(gatewayTimeout.Exit == 3, gatewayTimeout.All);
        Assert.Contains("no answer: the experiment lifecycle gave no answer within 00:00:10", gatewayTimeout.All);
        Assert.True(slow.Exit == 3, slow.All);
        Assert.Contains("no answer within 1 s", slow.All);
        Assert.Empty(gatewayTimeout.Out + slow.Out);
    }

    [Fact]
    public async Task A_service_that_cannot_be_reached_or_cannot_take_it_now_exits_4_in_one_line()
    {
        var environment = _api.Environment();
        environment["PERSISTERS_URL"] = $"http://127.0.0.1:{CapturedProcess.FreePort()}";
        var refused = await RunAsync(environment, "experiments", "start", "--id", Guid.NewGuid().ToString());
        var refusedRule = await RunAsync(environment, "autoops", "create", "--environment", "e", "--feature", "f", "--clause", "a:b:1:0.5");
        _api.Override = request => Task.FromResult<IResult?>(
            FakeOperatorApi.Problem(503, "Service unavailable", "API keys could not be read (database unavailable)"));
        var unavailable = await RunAsync("experiments", "list");

        foreach (var (exit, stdout, all) in new[] { refused, refusedRule })
        {
            Assert.True(exit == 4, all);
            var line = Assert.Single(Lines(all));
            Assert.Contains($"could not reach the service at {environment["PERSISTERS_URL"]}/", line);
            Assert.Contains("PERSISTERS_URL", line);
            Assert.Empty(stdout);
        }
        Assert.True(unavailable.Exit == 4, unavailable.All);
        Assert.Contains("the service cannot take the command now: API keys could not be read (database unavailable) (503)", unavailable.All);
    }

    [Fact]
    public async Task Any_other_answer_exits_5_naming_the_status()
    {
        _api.Override = _ => Task.FromResult<IResult?>(Results.StatusCode((int)HttpStatusCode.InternalServerError));
        var failed = await RunAsync("autoops", "delete", "--id", Guid.NewGuid().ToString());
        _api.Override = null;
        var elsewhere = _api.Environment();
        elsewhere["PERSISTERS_URL"] = new Uri(_api.Url, "elsewhere").ToString();
        var notThisService = await RunAsync(elsewhere, "experiments", "list");

        Assert.True(failed.Exit == 5, failed.All);
        Assert.Contains("the service failed on the command: 500", failed.All);
        Assert.True(notThisService.Exit == 5, notThisService.All);
        Assert.Contains("404 Not Found /elsewhere/v1/experiments", notThisService.All);
        Assert.Contains("a persisters service of this version?", notThisService.All);
    }
}
