using System.Text;
using System.Text.Json;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Statistics;
using Persisters.Statistics.Charts;
using Persisters.Statistics.Json;
using Persisters.Statistics.Srm;
using static Persisters.Host.Pages.Html;

namespace Persisters.Host.Pages;

/// <summary>An experiment as the pages show it: its definition, when it was stopped, and when its results were last calculated.</summary>
internal sealed record ExperimentView(ExperimentDefinition Definition, long? StoppedAt, long? CalculatedAt);

/// <summary>The HTML of the experiment pages (no I/O: the handlers in <see cref="ResultsPages"/> read and send).</summary>
internal static class ExperimentViews
{
    public static string Landing() => Document("Home", """
        <h1>Persisters</h1>
        <p>Stores what feature-flag experiments and kill switches need, and computes Bayesian experiment results.</p>
        <ul class="links">
        <li><a href="/experiments">Experiments</a>: status, dates and results (an admin API key signs you in)</li>
        <li><a href="/scalar/v1">API reference</a> (Scalar) and the <a href="/openapi/v1.json">OpenAPI document</a></li>
        <li><a href="/health/ready">Readiness</a> (broker, database, demand) and <a href="/health/live">liveness</a></li>
        <li><a href="/metrics">Metrics</a> (Prometheus)</li>
        </ul>
        """, signedIn: false);

    public static string SignIn(string returnUrl, string? error) => Document("Sign in", $"""
        <h1>Sign in</h1>
        {(error is null ? "" : Notice("error", error, id: "notice"))}
        <form method="post" action="/experiments/login" class="card">
        <p class="muted">The results pages need an <strong>admin</strong> API key (<code>persisters keys create --name NAME --role admin --environment ENV</code>).
        It is kept in an HttpOnly cookie for this browser session.</p>
        <label for="apiKey">Admin API key</label>
        <input type="password" id="apiKey" name="apiKey" autocomplete="current-password" required>
        <input type="hidden" name="returnUrl" value="{E(returnUrl)}">
        <div class="actions"><button type="submit" class="primary">Sign in</button></div>
        </form>
        """, signedIn: false);

    public static string Message(string title, string kind, string text, bool signedIn) =>
        Document(title, $"<h1>{E(title)}</h1>{Notice(kind, text, id: "notice")}<p><a href=\"/experiments\">All experiments</a></p>", signedIn);

    public static string List(IReadOnlyList<ExperimentView> experiments)
    {
        var body = new StringBuilder("<h1>Experiments</h1>");
        if (experiments.Count == 0)
        {
            body.Append("<p class=\"card\">No experiment yet. Create one with <code>POST /v1/experiments</code> (see the <a href=\"/scalar/v1\">API reference</a>) or <code>persisters experiments create</code>.</p>");
            return Document("Experiments", body.ToString(), signedIn: true);
        }
        body.Append("<div class=\"scroll\"><table id=\"experiments\"><thead><tr><th>Experiment</th><th>Status</th><th>Start</th><th>Stop</th><th>Environment</th><th>Feature</th><th>Last calculation</th></tr></thead><tbody>");
        foreach (var x in experiments)
        {
            var d = x.Definition;
            body.Append(Invariant, $"<tr data-experiment=\"{d.ExperimentId:D}\"><td><a href=\"/experiments/{d.ExperimentId:D}\">{E(d.Name.Length > 0 ? d.Name : d.FeatureId)}</a></td>")
                .Append(Invariant, $"<td>{StatusBadge(d)}</td><td>{Time(d.StartAt)}</td><td>{Time(x.StoppedAt ?? d.StopAt)}</td>")
                .Append(Invariant, $"<td>{E(d.EnvironmentId)}</td><td>{E(d.FeatureId)} v{d.FeatureVersion}</td><td>{(x.CalculatedAt is { } c ? Time(c) : "<span class=\"muted\">not yet</span>")}</td></tr>");
        }
        body.Append("</tbody></table></div>");
        return Document("Experiments", body.ToString(), signedIn: true);
    }

    /// <param name="notice">The answer to the operator's last action, already HTML (<see cref="Html.Notice"/>), or null.</param>
    /// <param name="resultJson">The stored <c>experiment_result.data</c>, or null when no calculation has written one.</param>
    public static string Experiment(ExperimentView x, string? resultJson, string? notice)
    {
        var d = x.Definition;
        var body = new StringBuilder();
        body.Append(Invariant, $"<h1>{E(d.Name.Length > 0 ? d.Name : d.FeatureId)}</h1>");
        if (notice is not null) body.Append(notice);
        body.Append("<div class=\"card\"><dl>")
            .Append(Invariant, $"<dt>Status</dt><dd id=\"status\">{StatusBadge(d)}</dd>")
            .Append(Invariant, $"<dt>Start</dt><dd id=\"start-at\">{Time(d.StartAt)}</dd>")
            .Append(Invariant, $"<dt>Stop</dt><dd id=\"stop-at\">{Time(d.StopAt)}{(x.StoppedAt is { } s ? $" (stopped {Time(s)})" : "")}</dd>")
            .Append(Invariant, $"<dt>Feature</dt><dd>{E(d.FeatureId)} v{d.FeatureVersion} in {E(d.EnvironmentId)}</dd>")
            .Append(Invariant, $"<dt>Variations</dt><dd>{E(string.Join(", ", d.VariationIds))} (baseline {E(d.BaselineVariationId)})</dd>")
            .Append(Invariant, $"<dt>Goals</dt><dd>{E(string.Join(", ", d.GoalIds))}</dd>")
            .Append(Invariant, $"<dt>Id</dt><dd><code>{d.ExperimentId:D}</code></dd>")
            .Append("</dl></div>");
        var action = $"/experiments/{d.ExperimentId:D}";
        // Only the transitions the saga allows from this status are offered: Start while Waiting, Stop while Running.
        body.Append("<div class=\"actions\">");
        if (d.Status == ExperimentStatus.Waiting)
            body.Append(Invariant, $"<form method=\"post\" action=\"{action}/start\" class=\"inline\"><button type=\"submit\" id=\"start\" class=\"primary\">Start now</button></form>");
        if (d.Status == ExperimentStatus.Running)
            body.Append(Invariant, $"<form method=\"post\" action=\"{action}/stop\" class=\"inline\"><button type=\"submit\" id=\"stop\" class=\"danger\">Stop now</button></form>");
        body.Append(Invariant, $"<form method=\"post\" action=\"{action}/calculations\" class=\"inline\"><button type=\"submit\" id=\"calculate\">Calculate now</button></form>")
            .Append(Invariant, $"<a href=\"{action}\" style=\"align-self:center\">Reload</a></div>");

        if (resultJson is null || x.CalculatedAt is null)
        {
            body.Append("<p class=\"card\" id=\"no-results\">No results yet: the calculator writes them on its schedule (<code>Calculator:Interval</code>, 5 minutes) while the experiment is live, or now with <em>Calculate now</em>.</p>");
            return Document(d.Name, body.ToString(), signedIn: true);
        }
        ExperimentResultDocument document;
        try
        {
            document = CalculatorJsonContext.Parse(resultJson);
        }
        catch (JsonException ex)
        {
            body.Append(Notice("error", $"The stored result cannot be read: {ex.Message}", id: "result-error"));
            return Document(d.Name, body.ToString(), signedIn: true);
        }
        body.Append(Invariant, $"<p id=\"calculated-at\">Last calculation: {Time(x.CalculatedAt.Value)}; counts from {Time(document.StartAt)} to {Time(document.EndAt)}, {document.TotalEvaluationUserCount:N0} users.</p>");
        AppendSrm(body, document);
        foreach (var goal in document.Goals) AppendGoal(body, goal, document);
        return Document(d.Name, body.ToString(), signedIn: true);
    }

    private static void AppendSrm(StringBuilder body, ExperimentResultDocument document)
    {
        var srm = document.Srm;
        body.Append("<h2>Sample ratio check</h2><div class=\"card\" id=\"srm\">")
            .Append(Invariant, $"<p><strong id=\"srm-status\">{E(srm.Status.ToString().ToUpperInvariant())}</strong>")
            // A skipped check has no statistic: its zeros would read as a severe mismatch (p = 0), so only the reason is shown.
            .Append(srm.Status == SrmStatus.Skipped ? " · not computed"
                : string.Create(Invariant, $" · p = {srm.PValue.ToString("G4", Invariant)} (mismatch below {srm.Threshold.ToString("G4", Invariant)}), χ² = {srm.ChiSquare.ToString("F2", Invariant)}, df {srm.DegreesOfFreedom}"))
            .Append(srm.Reason is { Length: > 0 } reason ? $"<br><span class=\"muted\">{E(reason)}</span>" : "")
            .Append(Invariant, $"<br><span class=\"muted\">Expected split: {E(document.SrmExpectedSplit)}.</span></p>");
        if (srm.Variations.Count > 0)
        {
            body.Append("<div class=\"scroll\"><table><thead><tr><th>Variation</th><th>Observed users</th><th>Expected users</th></tr></thead><tbody>");
            foreach (var v in srm.Variations)
            {
                body.Append(Invariant, $"<tr><td>{E(v.VariationId)}</td><td>{v.ObservedUserCount:N0}</td><td>{v.ExpectedUserCount.ToString("N1", Invariant)}</td></tr>");
            }
            body.Append("</tbody></table></div>");
        }
        body.Append("</div>");
    }

    private static void AppendGoal(StringBuilder body, GoalResultDocument goal, ExperimentResultDocument document)
    {
        var c = goal.Calculation;
        body.Append(Invariant, $"<section class=\"goal\" data-goal=\"{E(goal.GoalId)}\"><h2>Goal {E(goal.GoalId)}</h2>");
        if (c.Status != CalculationStatus.Computed)
        {
            body.Append(Notice("info", $"Not computable: {c.Reason}"));
        }
        body.Append("<div class=\"scroll\"><table class=\"results\"><thead><tr><th>Variation</th><th>Users</th><th>Conversions</th><th>Conversion rate</th>")
            .Append("<th>95% credible interval</th><th>P(beat baseline)</th><th>P(best)</th><th>Expected loss</th><th>Value per user</th></tr></thead><tbody>");
        foreach (var v in c.Variations)
        {
            var cvr = v.Cvr;
            body.Append(Invariant, $"<tr data-variation=\"{E(v.Id)}\"><td data-column=\"variation\">{E(v.Id)}{(v.Baseline ? " <span class=\"muted\">(baseline)</span>" : "")}</td>")
                .Append(Invariant, $"<td data-column=\"users\" data-label=\"Users\">{v.EvaluationUsers:N0}</td>")
                .Append(Invariant, $"<td data-column=\"conversions\" data-label=\"Conversions\">{v.GoalUsers:N0}</td>")
                .Append(Invariant, $"<td data-column=\"conversion-rate\" data-label=\"Conversion rate\">{v.ConversionRate.ToString("F2", Invariant)} %</td>")
                .Append(Invariant, $"<td data-column=\"credible-interval\" data-label=\"95% credible interval\">{(cvr is null ? "—" : $"{(cvr.P025 * 100).ToString("F2", Invariant)} – {(cvr.P975 * 100).ToString("F2", Invariant)} %")}</td>")
                .Append(Invariant, $"<td data-column=\"prob-beat-baseline\" data-label=\"P(beat baseline)\">{(cvr is null ? "—" : v.Baseline ? "baseline" : Percent(cvr.ProbBeatBaseline))}</td>")
                .Append(Invariant, $"<td data-column=\"prob-best\" data-label=\"P(best)\">{(cvr is null ? "—" : Percent(cvr.ProbBest))}</td>")
                .Append(Invariant, $"<td data-column=\"expected-loss\" data-label=\"Expected loss\">{(cvr is null ? "—" : cvr.ExpectedLoss.ToString("F3", Invariant) + " pp")}</td>")
                .Append(Invariant, $"<td data-column=\"value-per-user\" data-label=\"Value per user\">{(v.ValuePerUser is { } value ? value.ToString("F2", Invariant) : "—")}</td></tr>");
        }
        body.Append("</tbody></table></div>");
        if (c.Summary.CvrSafeToStop) body.Append("<p class=\"muted\">A variation's Bayes factor against the baseline is at least 20: safe to stop on conversion.</p>");
        foreach (var note in c.Notes) body.Append(Invariant, $"<p class=\"muted\">{E(note)}</p>");
        body.Append(Invariant, $"<figure><figcaption class=\"muted\">Conversion rate posteriors of goal {E(goal.GoalId)}</figcaption>")
            .Append(SvgChart.Render(CalcOutput.From(c, goal.GoalId, document.Srm)))
            .Append("</figure></section>");
    }

    private static string Percent(double probability) => (probability * 100).ToString("F1", Invariant) + " %";

    private static string StatusBadge(ExperimentDefinition d) =>
        $"<span class=\"status status-{d.Status}\">{d.Status}{(d.Archived ? ", archived" : "")}</span>";
}
