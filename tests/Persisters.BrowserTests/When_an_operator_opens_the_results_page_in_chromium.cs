using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.Host.Ingest;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.BrowserTests;

/// <summary>
/// The results page as an operator on a phone sees it: the built <c>persisters</c> executable on the embedded default (Kestrel on
/// 127.0.0.1, in-memory transport, SQLite), an experiment created and fed synthetic traffic over the HTTP API, Debian's chromium
/// (driven by Playwright, 375 px wide) signing in with an admin key, asking for a calculation, reading the table, saving a
/// screenshot (<c>artifacts/browser/results-page.png</c>) and pressing stop.
/// </summary>
public sealed class When_an_operator_opens_the_results_page_in_chromium
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    [Fact]
    public async Task The_table_matches_the_stored_document_at_phone_width_and_stop_stops_the_experiment()
    {
        var directory = Directory.CreateTempSubdirectory("persisters-browser-").FullName;
        var database = $"Data Source={Path.Combine(directory, "persisters.db")}";
        var env = new Dictionary<string, string?>
        {
            ["Database__ConnectionString"] = database, ["Persisters__DefinitionsRefreshInterval"] = "00:00:01",
            ["Persisters__GoalRetry__InitialInterval"] = "00:00:01", ["Persisters__GoalRetry__PollInterval"] = "00:00:01",
            // No recurring run (its 5-minute tick could calculate before the page is opened): the page's button asks for the one calculation.
            ["Calculator__Enabled"] = "false"
        };
        var (created, output) = await HostCommand.RunAsync(env, "keys", "create", "--name", "operator", "--role", "admin", "--environment", "prod");
        Assert.True(created == 0, output);
        var key = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal));
        await using var host = HostCommand.Start(env);
        await host.WaitUntilReadyAsync();
        var baseUrl = $"http://127.0.0.1:{host.Port}";
        using var services = new ServiceCollection().AddPersistersDatabase(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = database }).BuildServiceProvider();
        var db = services.GetRequiredService<IPersistersDbContextFactory>();
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {key}");

        // An experiment that started an hour ago, and the demo's synthetic traffic (SyntheticTraffic, as `load`) posted to /v1/events.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var definition = SyntheticTraffic.Experiment("prod", "browser", now) with { Name = "Checkout button <blue> vs green" };
        var answer = await PostJsonAsync(http, "/v1/experiments", new CreateExperiment
        {
            EnvironmentId = definition.EnvironmentId, Name = definition.Name, FeatureId = definition.FeatureId, FeatureVersion = definition.FeatureVersion,
            VariationIds = definition.VariationIds, BaselineVariationId = definition.BaselineVariationId, GoalIds = definition.GoalIds,
            StartAt = definition.StartAt, StopAt = definition.StopAt,
        });
        var experimentId = answer.GetProperty("experimentId").GetGuid();
        var traffic = SyntheticTraffic.Create(definition with { ExperimentId = experimentId }, 2000, 0, 0, seed: 14, now);
        foreach (var chunk in traffic.ValidEvaluations.Chunk(400)) await PostJsonAsync(http, "/v1/events", new { evaluationEvents = chunk });
        await WaitForAsync(host, "evaluation rows", async () => await Count(db, d => d.EvaluationEvents.CountAsync()) >= traffic.ExpectedEvaluationRows);
        foreach (var chunk in traffic.ValidGoals.Chunk(400)) await PostJsonAsync(http, "/v1/events", new { goalEvents = chunk });
        await WaitForAsync(host, "goal rows", async () => await Count(db, d => d.GoalEvents.CountAsync()) >= traffic.ExpectedGoalRows);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium(), Headless = true });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 375, Height = 812 }, DeviceScaleFactor = 2, IsMobile = true, HasTouch = true,
        });
        var page = await context.NewPageAsync();

        // No key yet: the page answers 401 with the sign-in form, which brings the operator back to the experiment.
        var first = await page.GotoAsync($"{baseUrl}/experiments/{experimentId:D}");
        Assert.Equal((int)HttpStatusCode.Unauthorized, first!.Status);
        await page.FillAsync("#apiKey", key);
        await page.ClickAsync("button:has-text('Sign in')");
        await page.WaitForLoadStateAsync(LoadState.Load);
        Assert.True(page.Url == $"{baseUrl}/experiments/{experimentId:D}", $"{page.Url}: {await page.ContentAsync()}");
        Assert.Equal("Running", (await page.InnerTextAsync("#status")).Trim());
        Assert.Equal(1, await page.Locator("#no-results").CountAsync());

        // Calculate now, then reload until the calculator has written the document.
        await page.ClickAsync("#calculate");
        Assert.Contains("Calculation requested", await page.InnerTextAsync("#notice"));
        await WaitForAsync(host, "a stored result", async () =>
        {
            await page.GotoAsync($"{baseUrl}/experiments/{experimentId:D}");
            return await page.Locator("#calculated-at").CountAsync() == 1;
        });
        Persisters.Persistence.Model.ExperimentResultRow row;
        await using (var d = db.CreateDbContext()) row = await d.ExperimentResults.AsNoTracking().SingleAsync(r => r.Id == experimentId);
        var document = CalculatorJsonContext.Parse(row.Data);
        Assert.Contains(DateTimeOffset.FromUnixTimeSeconds(row.UpdatedAt).ToString("yyyy-MM-dd HH:mm:ss", Invariant), await page.InnerTextAsync("#calculated-at"));
        Assert.Equal(document.Srm.Status.ToString().ToUpperInvariant(), await page.InnerTextAsync("#srm-status"));

        // The table's numbers, as the browser renders them, against the stored document.
        var goal = Assert.Single(document.Goals);
        Assert.Equal(2, goal.Calculation.Variations.Count);
        foreach (var v in goal.Calculation.Variations)
        {
            var tr = page.Locator($"section.goal[data-goal='{goal.GoalId}'] tr[data-variation='{v.Id}']");
            async Task<string> Cell(string column) => (await tr.Locator($"td[data-column='{column}']").InnerTextAsync()).Trim();
            Assert.Equal(v.EvaluationUsers, long.Parse((await Cell("users")).Replace(",", ""), Invariant));
            Assert.Equal(v.GoalUsers, long.Parse((await Cell("conversions")).Replace(",", ""), Invariant));
            Near(v.ConversionRate, Number(await Cell("conversion-rate")), 0.005);
            var interval = (await Cell("credible-interval")).TrimEnd('%', ' ').Split('–');
            Near(v.Cvr!.P025 * 100, Number(interval[0]), 0.005);
            Near(v.Cvr.P975 * 100, Number(interval[1]), 0.005);
            if (v.Baseline) Assert.Equal("baseline", await Cell("prob-beat-baseline"));
            else Near(v.Cvr.ProbBeatBaseline * 100, Number(await Cell("prob-beat-baseline")), 0.05);
            Near(v.Cvr.ProbBest * 100, Number(await Cell("prob-best")), 0.05);
            Near(v.Cvr.ExpectedLoss, Number(await Cell("expected-loss")), 0.0005);
            Near(v.ValuePerUser!.Value, Number(await Cell("value-per-user")), 0.005);
        }
        Assert.True(await page.Locator("section.goal figure svg").IsVisibleAsync());
        // Phone width: the page itself does not scroll sideways (wide tables scroll inside their own box) and the chart fits.
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 375);
        Assert.True(await page.EvaluateAsync<double>("document.querySelector('section.goal figure svg').getBoundingClientRect().width") <= 375);

        var screenshot = Path.Combine(ArtifactsDirectory(), "results-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);

        // Stop: the saga's answer is shown and the experiment is stopped, on the page and in the database.
        await page.ClickAsync("#stop");
        Assert.Contains("Stop accepted: stopped", await page.InnerTextAsync("#notice"));
        Assert.Equal("Stopped", (await page.InnerTextAsync("#status")).Trim());
        Assert.Contains("stopped", await page.InnerTextAsync("#stop-at"));
        await using (var d = db.CreateDbContext())
        {
            Assert.Equal((int)ExperimentStatus.Stopped, (await d.Experiments.AsNoTracking().SingleAsync(e => e.Id == experimentId)).Status);
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory(), "results-page-stopped.png") });
    }

    private static async Task<JsonElement> PostJsonAsync(HttpClient http, string path, object body)
    {
        var response = await http.PostAsync(path, new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        var json = JsonDocument.Parse(text).RootElement;
        if (json.TryGetProperty("rejected", out var rejected)) Assert.True(rejected.GetArrayLength() == 0, text);
        return json.Clone();
    }

    private static async Task<int> Count(IPersistersDbContextFactory factory, Func<PersistersDbContext, Task<int>> count)
    {
        await using var db = factory.CreateDbContext();
        return await count(db);
    }

    private static async Task WaitForAsync(HostCommand host, string what, Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + HostCommand.Patience;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {HostCommand.Patience}:\n{host.Output}");
            await Task.Delay(250);
        }
    }

    private static double Number(string text) =>
        double.Parse(text.Replace("%", "").Replace("pp", "").Replace(",", "").Trim(), NumberStyles.Float, Invariant);

    /// <summary>Shown to its last decimal: within half a unit of it (plus floating-point slack).</summary>
    private static void Near(double stored, double shown, double halfUnit) =>
        Assert.True(Math.Abs(stored - shown) <= halfUnit + 1e-9, $"shown {shown}, stored {stored}");

    /// <summary>Debian's chromium (<c>PERSISTERS_TEST_CHROMIUM</c> overrides); scripts/test.sh installs it. Never a downloaded browser.</summary>
    private static string Chromium()
    {
        if (Environment.GetEnvironmentVariable("PERSISTERS_TEST_CHROMIUM") is { Length: > 0 } configured) return configured;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, "chromium");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("chromium is not installed: scripts/services.sh browser (apt-get install chromium) installs it");
    }

    /// <summary><c>artifacts/browser</c> at the repository's root (kept by CI with the test results), made if missing.</summary>
    private static string ArtifactsDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Persisters.sln"))) dir = dir.Parent;
        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "browser");
        Directory.CreateDirectory(path);
        return path;
    }
}
