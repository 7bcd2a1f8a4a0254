using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.Host.Ingest;
using Persisters.Host.Pages;
using Persisters.Persistence;
using Persisters.Persistence.Model;
using Persisters.Tests.Ingest;

namespace Persisters.Tests.Pages;

/// <summary>
/// The results pages on the service as <c>persisters run</c> composes it (in-memory transport, SQLite, the real lifecycle saga and
/// calculator): who may open them, what they show of the stored document, and what the start / stop buttons answer.
/// </summary>
public sealed partial class When_the_results_pages_are_opened : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private IngestServer _server = null!;
    private string _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await IngestServer.StartAsync();
        _admin = await _server.CreateKeyAsync(ApiKeyRole.Admin, "prod");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_landing_page_links_every_entry_point_without_a_key()
    {
        var response = await _server.Client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        foreach (var link in new[] { "/experiments", "/scalar/v1", "/openapi/v1.json", "/health/ready", "/metrics" })
        {
            Assert.Contains($"href=\"{link}\"", html);
        }
    }

    [Fact]
    public async Task Without_an_admin_key_a_page_answers_with_the_sign_in_form()
    {
        var id = await CreateExperimentAsync("checkout");
        var ingest = await _server.CreateKeyAsync(ApiKeyRole.Ingest, "prod");
        foreach (var path in new[] { "/experiments", $"/experiments/{id:D}" })
        {
            var anonymous = await SendAsync(HttpMethod.Get, path, key: null);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
            Assert.Contains("<form method=\"post\" action=\"/experiments/login\"", anonymous.Html);
            Assert.Contains("type=\"password\"", anonymous.Html);
            Assert.Contains($"name=\"returnUrl\" value=\"{path}\"", anonymous.Html);
            Assert.DoesNotContain("checkout", anonymous.Html);

            var ingestKey = await SendAsync(HttpMethod.Get, path, ingest);
            Assert.Equal(HttpStatusCode.Forbidden, ingestKey.Status);
            Assert.Contains("not an admin key", ingestKey.Html);
            Assert.DoesNotContain("checkout", ingestKey.Html);
        }
        var stop = await SendAsync(HttpMethod.Post, $"/experiments/{id:D}/stop", key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, stop.Status);
        Assert.Equal(ExperimentStatus.Running, await StatusAsync(id));

        // An admin key of another environment sees neither the experiment nor its page.
        var other = await _server.CreateKeyAsync(ApiKeyRole.Admin, "staging");
        Assert.DoesNotContain(id.ToString("D"), (await SendAsync(HttpMethod.Get, "/experiments", other)).Html);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/experiments/{id:D}", other)).Status);
    }

    [Fact]
    public async Task The_sign_in_form_keeps_the_key_in_an_http_only_strict_cookie_and_refuses_other_sites()
    {
        var id = await CreateExperimentAsync("signin");
        var wrong = await PostFormAsync("/experiments/login", new() { ["apiKey"] = "pk_000000000000_nope", ["returnUrl"] = $"/experiments/{id:D}" });
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        var foreign = await PostFormAsync("/experiments/login", new() { ["apiKey"] = _admin, ["returnUrl"] = "/experiments" }, origin: "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);

        // A page that sent no referrer makes a browser post "Origin: null": refused; the pages send same-origin so their own forms work.
        Assert.Equal(HttpStatusCode.Forbidden, (await PostFormAsync("/experiments/login", new() { ["apiKey"] = _admin }, origin: "null")).StatusCode);
        Assert.Equal("same-origin", Assert.Single(wrong.Headers.GetValues("Referrer-Policy")));

        var offsite = await PostFormAsync("/experiments/login", new() { ["apiKey"] = _admin, ["returnUrl"] = "//evil.example/x" });
        Assert.Equal("/experiments", offsite.Headers.Location?.OriginalString);

        var signIn = await PostFormAsync("/experiments/login", new() { ["apiKey"] = _admin, ["returnUrl"] = $"/experiments/{id:D}" });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal($"/experiments/{id:D}", signIn.Headers.Location?.OriginalString);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{PageSignIn.CookieName}=", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/experiments", cookie, StringComparison.OrdinalIgnoreCase);

        var request = new HttpRequestMessage(HttpMethod.Get, $"/experiments/{id:D}");
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        var page = await _server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("signin", await page.Content.ReadAsStringAsync());

        // A form posted from another site with the cookie is refused and changes nothing.
        var csrf = new HttpRequestMessage(HttpMethod.Post, $"/experiments/{id:D}/stop") { Content = new FormUrlEncodedContent([]) };
        csrf.Headers.Add("Cookie", cookie.Split(';')[0]);
        csrf.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await _server.Client.SendAsync(csrf)).StatusCode);
        Assert.Equal(ExperimentStatus.Running, await StatusAsync(id));
    }

    [Fact]
    public async Task The_list_shows_each_experiment_with_its_status_and_dates_and_encodes_names()
    {
        var id = await CreateExperimentAsync("list", name: "<script>alert(1)</script> & co");
        var page = await SendAsync(HttpMethod.Get, "/experiments", _admin);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var row = Row(page.Html, $"<tr data-experiment=\"{id:D}\">");
        Assert.Contains($"href=\"/experiments/{id:D}\"", row);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", row);
        Assert.DoesNotContain("<script>", page.Html);
        Assert.Contains(">Running<", row);
        var experiment = await DefinitionAsync(id);
        Assert.Contains(DateTimeOffset.FromUnixTimeSeconds(experiment.StartAt).ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC", row);
        Assert.Contains(DateTimeOffset.FromUnixTimeSeconds(experiment.StopAt).ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC", row);
        Assert.Contains("not yet", row);
    }

    [Fact]
    public async Task The_experiment_page_shows_the_stored_documents_numbers_chart_srm_and_calculation_time()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var definition = SyntheticTraffic.Experiment("prod", "pages", now);
        var id = await CreateExperimentAsync(definition.FeatureId, definition);
        var traffic = SyntheticTraffic.Create(definition with { ExperimentId = id }, 600, 0, 0, seed: 7, now);
        var bus = _server.Services.GetRequiredService<IBus>();
        await bus.PublishBatch(traffic.ValidEvaluations);
        await WaitForRowsAsync(db => db.EvaluationEvents.CountAsync(), traffic.ExpectedEvaluationRows);
        await bus.PublishBatch(traffic.ValidGoals);
        await WaitForRowsAsync(db => db.GoalEvents.CountAsync(), traffic.ExpectedGoalRows);

        var before = await SendAsync(HttpMethod.Get, $"/experiments/{id:D}", _admin);
        Assert.Contains("id=\"no-results\"", before.Html);
        var requested = await PressAsync(id, "calculations");
        Assert.Contains("Calculation requested", requested.Html);
        var row = await WaitForResultAsync(id);
        var document = CalculatorJsonContext.Parse(row.Data);

        var page = await SendAsync(HttpMethod.Get, $"/experiments/{id:D}", _admin);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains(DateTimeOffset.FromUnixTimeSeconds(row.UpdatedAt).ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC", Row(page.Html, "<p id=\"calculated-at\">"));
        Assert.Contains($"<strong id=\"srm-status\">{document.Srm.Status.ToString().ToUpperInvariant()}</strong>", page.Html);
        // A skipped check shows no statistic (its zeros would read as p = 0, a severe mismatch); a computed one shows its p-value.
        Assert.Contains(document.Srm.Status == global::Persisters.Statistics.Srm.SrmStatus.Skipped ? " · not computed" : $"p = {document.Srm.PValue.ToString("G4", Invariant)}", page.Html);
        var goal = Assert.Single(document.Goals);
        Assert.Equal(2, goal.Calculation.Variations.Count);
        Assert.Contains(goal.Calculation.Variations, v => v.GoalUsers > 0);
        var section = Row(page.Html, $"<section class=\"goal\" data-goal=\"{goal.GoalId}\">");
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\"", section);
        foreach (var v in goal.Calculation.Variations)
        {
            var tr = Row(section, $"<tr data-variation=\"{v.Id}\">");
            Assert.Equal(v.EvaluationUsers.ToString("N0", Invariant), Cell(tr, "users"));
            Assert.Equal(v.GoalUsers.ToString("N0", Invariant), Cell(tr, "conversions"));
            Assert.Equal($"{v.ConversionRate.ToString("F2", Invariant)} %", Cell(tr, "conversion-rate"));
            Assert.Equal($"{(v.Cvr!.P025 * 100).ToString("F2", Invariant)} – {(v.Cvr.P975 * 100).ToString("F2", Invariant)} %", Cell(tr, "credible-interval"));
            Assert.Equal(v.Baseline ? "baseline" : $"{(v.Cvr.ProbBeatBaseline * 100).ToString("F1", Invariant)} %", Cell(tr, "prob-beat-baseline"));
            Assert.Equal($"{(v.Cvr.ProbBest * 100).ToString("F1", Invariant)} %", Cell(tr, "prob-best"));
            Assert.Equal($"{v.Cvr.ExpectedLoss.ToString("F3", Invariant)} pp", Cell(tr, "expected-loss"));
            Assert.Equal(v.ValuePerUser!.Value.ToString("F2", Invariant), Cell(tr, "value-per-user"));
        }
    }

    [Fact]
    public async Task Stop_and_start_show_the_sagas_answers_and_a_rejection_with_its_reason()
    {
        // The buttons answer 303 to the page (POST-redirect-GET), which shows the answer: the POST's own status is no longer the answer's.
        var id = await CreateExperimentAsync("buttons");
        var stop = await PressAsync(id, "stop");
        Assert.Contains("Stop accepted: stopped (status Stopped).", stop.Html);
        Assert.Contains("<span class=\"status status-Stopped\">Stopped</span>", Row(stop.Html, "<dd id=\"status\">"));
        Assert.Equal(ExperimentStatus.Stopped, await StatusAsync(id));

        var again = await PressAsync(id, "stop");
        Assert.Contains("Stop accepted: already stopped", again.Html);

        // The saga's own reason for refusing a start of a stopped experiment, asked directly, is what the page shows.
        var sender = new ExperimentCommandSender(_server.Services.GetRequiredService<global::Persisters.Host.Api.OperatorCommandClient>());
        var expected = await sender.SendAsync(id, new StartExperiment { ExperimentId = id }, CancellationToken.None);
        Assert.Equal(CommandOutcome.Rejected, expected.Outcome);
        var start = await PressAsync(id, "start");
        Assert.Contains(System.Text.Encodings.Web.HtmlEncoder.Default.Encode($"Start rejected: {expected.Detail} (status Stopped)."), start.Html);
        Assert.Contains("role=\"alert\"", Row(start.Html, "<p class=\"notice error\""));
        Assert.Equal(ExperimentStatus.Stopped, await StatusAsync(id));

        var unknown = await SendAsync(HttpMethod.Post, $"/experiments/{Guid.NewGuid():D}/stop", _admin);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
    }

    [Fact]
    public async Task A_button_redirects_to_the_page_which_shows_its_answer_once_so_a_reload_sends_nothing()
    {
        var id = await CreateExperimentAsync("prg");
        var post = await PostWithKeyAsync($"/experiments/{id:D}/stop");
        Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
        Assert.Equal($"/experiments/{id:D}", post.Headers.Location?.OriginalString);
        Assert.Equal("", await post.Content.ReadAsStringAsync());
        var cookie = Assert.Single(post.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{ResultsPages.NoticeCookie}=", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"path=/experiments/{id:D}", cookie, StringComparison.OrdinalIgnoreCase);

        var shown = await GetWithCookieAsync($"/experiments/{id:D}", cookie);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("Stop accepted: stopped (status Stopped).", await shown.Content.ReadAsStringAsync());
        // Shown once: the page deletes the cookie, so a reload shows the page without the answer (and sends no command).
        var deleted = Assert.Single(shown.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{ResultsPages.NoticeCookie}=;", deleted);
        Assert.Contains("expires=Thu, 01 Jan 1970", deleted, StringComparison.OrdinalIgnoreCase);
        var reload = await SendAsync(HttpMethod.Get, $"/experiments/{id:D}", _admin);
        Assert.DoesNotContain("id=\"notice\"", reload.Html);

        var calculate = await PostWithKeyAsync($"/experiments/{id:D}/calculations");
        Assert.Equal(HttpStatusCode.SeeOther, calculate.StatusCode);
        Assert.Contains("Calculation requested", await (await GetWithCookieAsync($"/experiments/{id:D}", Assert.Single(calculate.Headers.GetValues("Set-Cookie")))).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ids_are_unique_on_a_page_with_an_answer_and_not_computable_goals()
    {
        // No traffic: every goal is not computable, and its notice must not take the id of the answer's notice.
        var id = await CreateExperimentAsync("ids");
        await PressAsync(id, "calculations");
        await WaitForResultAsync(id);
        var page = await PressAsync(id, "stop");
        Assert.Contains("Not computable", page.Html);
        var ids = IdPattern().Matches(page.Html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Contains("Stop accepted", Row(page.Html, "<p class=\"notice ok\" role=\"status\" id=\"notice\">"));
    }

    [Fact]
    public async Task Start_is_offered_only_while_waiting_and_stop_only_while_running()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var waiting = await CreateExperimentAsync("later", startAt: now + 3600);
        Assert.Equal(ExperimentStatus.Waiting, await StatusAsync(waiting));
        var page = (await SendAsync(HttpMethod.Get, $"/experiments/{waiting:D}", _admin)).Html;
        Assert.Contains("id=\"start\"", page);
        Assert.DoesNotContain("id=\"stop\"", page);

        var running = await CreateExperimentAsync("now");
        page = (await SendAsync(HttpMethod.Get, $"/experiments/{running:D}", _admin)).Html;
        Assert.DoesNotContain("id=\"start\"", page);
        Assert.Contains("id=\"stop\"", page);

        page = (await PressAsync(running, "stop")).Html;
        Assert.DoesNotContain("id=\"start\"", page);
        Assert.DoesNotContain("id=\"stop\"", page);
        Assert.Contains("id=\"calculate\"", page);
    }

    /// <summary>Presses a button (POST), checks the 303 to the page, and follows it as a browser does (with the answer's cookie).</summary>
    private async Task<(HttpStatusCode Status, string Html)> PressAsync(Guid id, string action)
    {
        var post = await PostWithKeyAsync($"/experiments/{id:D}/{action}");
        Assert.True(post.StatusCode == HttpStatusCode.SeeOther, $"{post.StatusCode}: {await post.Content.ReadAsStringAsync()}");
        var location = post.Headers.Location!.OriginalString;
        Assert.Equal($"/experiments/{id:D}", location);
        var page = await GetWithCookieAsync(location, Assert.Single(post.Headers.GetValues("Set-Cookie")));
        return (page.StatusCode, await page.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PostWithKeyAsync(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent([]) };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {_admin}");
        return _server.Client.SendAsync(request);
    }

    private Task<HttpResponseMessage> GetWithCookieAsync(string path, string setCookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {_admin}");
        request.Headers.Add("Cookie", setCookie.Split(';')[0]);
        return _server.Client.SendAsync(request);
    }

    [GeneratedRegex("\\sid=\"([^\"]*)\"")]
    private static partial Regex IdPattern();

    private async Task<Guid> CreateExperimentAsync(string feature, ExperimentDefinition? definition = null, string? name = null, long? startAt = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var body = JsonSerializer.Serialize(new CreateExperiment
        {
            EnvironmentId = "prod",
            Name = name ?? definition?.Name ?? feature,
            FeatureId = feature,
            FeatureVersion = 1,
            VariationIds = definition?.VariationIds ?? ["A", "B"],
            BaselineVariationId = "A",
            GoalIds = definition?.GoalIds ?? ["purchase"],
            StartAt = startAt ?? definition?.StartAt ?? now - 60,
            StopAt = definition?.StopAt ?? now + 86400,
        }, Json);
        var response = await _server.PostAsync("/v1/experiments", body, _admin);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer);
        return JsonDocument.Parse(answer).RootElement.GetProperty("experimentId").GetGuid();
    }

    private async Task<(HttpStatusCode Status, string Html)> SendAsync(HttpMethod method, string path, string? key)
    {
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post) request.Content = new FormUrlEncodedContent([]);
        if (key is not null) request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {key}");
        var response = await _server.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (origin is not null) request.Headers.Add("Origin", origin);
        return _server.Client.SendAsync(request);
    }

    private async Task<ExperimentStatus> StatusAsync(Guid id) => (await DefinitionAsync(id)).Status;

    private async Task<ExperimentDefinition> DefinitionAsync(Guid id)
    {
        await using var db = _server.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        return DefinitionStore.ToDefinition(await db.Experiments.AsNoTracking().SingleAsync(e => e.Id == id));
    }

    private async Task WaitForRowsAsync(Func<PersistersDbContext, Task<int>> count, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var db = _server.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
            var n = await count(db);
            if (n >= expected) return;
            Assert.True(DateTime.UtcNow < deadline, $"{n} of {expected} rows");
            await Task.Delay(100);
        }
    }

    private async Task<ExperimentResultRow> WaitForResultAsync(Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var db = _server.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
            if (await db.ExperimentResults.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id) is { } row) return row;
            Assert.True(DateTime.UtcNow < deadline, "no result was calculated");
            await Task.Delay(100);
        }
    }

    /// <summary>The element that starts with <paramref name="start"/>, up to the end of the same tag name.</summary>
    private static string Row(string html, string start)
    {
        var at = html.IndexOf(start, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{start}' not found");
        var tag = start[1..start.IndexOfAny([' ', '>'])];
        var end = html.IndexOf($"</{tag}>", at, StringComparison.Ordinal);
        return html[at..(end + tag.Length + 3)];
    }

    private static string Cell(string row, string column) =>
        WebUtility.HtmlDecode(CellPattern().Matches(row).Single(m => m.Groups[1].Value == column).Groups[2].Value);

    [GeneratedRegex("<td data-column=\"([a-z-]+)\"[^>]*>(.*?)</td>")]
    private static partial Regex CellPattern();
}
