using Microsoft.EntityFrameworkCore;
using Persisters.Contracts;
using Persisters.Host.Ingest;
using Persisters.Persistence;

namespace Persisters.Host.Pages;

/// <summary>
/// The pages the service serves (server-rendered HTML, no script): <c>/</c> (links), <c>/experiments</c> (every experiment with
/// its status and dates), <c>/experiments/{id}</c> (per goal the results table of the stored document, its chart, the sample
/// ratio check, the time of the last calculation, and start / stop / calculate buttons). Reading and operating need an admin key
/// (<see cref="PageSignIn"/>): without one a page answers 401 with the sign-in form. The buttons send the lifecycle saga's
/// commands (<see cref="ExperimentCommandSender"/>) and answer POST-redirect-GET: 303 to <c>/experiments/{id}</c>, which shows the
/// saga's answer once (accepted, rejected with its reason verbatim, no answer in time; <c>Calculate now</c>: requested), carried in the
/// short-lived cookie <see cref="NoticeCookie"/>, so a reload never sends the command again. An unknown experiment answers 404 at once.
/// </summary>
public static class ResultsPages
{
    /// <summary>
    /// The answer to the operator's last button, shown once by the next GET of the experiment page: <c>kind|text</c> (kind "ok",
    /// "error" or "info"), URL-encoded, HttpOnly, SameSite=Strict, path <c>/experiments/{id}</c>, 60 s; the page deletes it when shown.
    /// </summary>
    public const string NoticeCookie = "persisters_notice";

    private static readonly TimeSpan NoticeLifetime = TimeSpan.FromSeconds(60);

    /// <summary>Maps <c>/</c> and the experiment pages.</summary>
    public static WebApplication MapPersistersPages(this WebApplication app)
    {
        app.MapGet("/", (HttpContext context) => Page(context, ExperimentViews.Landing(), StatusCodes.Status200OK)).ExcludeFromDescription();
        var pages = app.MapGroup("/experiments").ExcludeFromDescription();
        pages.MapGet("/login", (HttpContext context, string? returnUrl) => Page(context, ExperimentViews.SignIn(LocalPath(returnUrl), null), StatusCodes.Status200OK));
        pages.MapPost("/login", (Func<HttpContext, Task<IResult>>)SignInAsync);
        pages.MapPost("/logout", (HttpContext context) =>
        {
            PageSignIn.Forget(context);
            return Results.Redirect("/experiments/login", preserveMethod: false);
        });
        pages.MapGet("/", ListAsync);
        pages.MapGet("/{experimentId:guid}", (HttpContext context, Guid experimentId) => ShowAsync(context, experimentId));
        pages.MapPost("/{experimentId:guid}/start", (HttpContext context, Guid experimentId) =>
            CommandAsync(context, experimentId, new StartExperiment { ExperimentId = experimentId }));
        pages.MapPost("/{experimentId:guid}/stop", (HttpContext context, Guid experimentId) =>
            CommandAsync(context, experimentId, new StopExperiment { ExperimentId = experimentId }));
        pages.MapPost("/{experimentId:guid}/calculations", CalculateAsync);
        return app;
    }

    private static async Task<IResult> SignInAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType) return Page(context, ExperimentViews.SignIn("/experiments", "Send the sign-in form."), StatusCodes.Status400BadRequest);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = LocalPath(form["returnUrl"]);
        if (!PageSignIn.IsSameOrigin(context)) return Forbidden(context);
        var key = form["apiKey"].ToString().Trim();
        if (key.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) key = key[7..].Trim();
        var (outcome, _) = key.Length == 0 ? (PageSignIn.Outcome.NoKey, null) : await PageSignIn.VerifyAsync(context, key);
        switch (outcome)
        {
            case PageSignIn.Outcome.SignedIn:
                PageSignIn.Remember(context, key);
                return Results.Redirect(returnUrl, preserveMethod: false);
            case PageSignIn.Outcome.Unavailable:
                return Unavailable(context);
            default:
                return Page(context, ExperimentViews.SignIn(returnUrl, key.Length == 0 ? "Enter an API key." : "This key is unknown, revoked, or not an admin key."),
                    key.Length == 0 ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden);
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, IPersistersDbContextFactory factory)
    {
        var (caller, refusal) = await SignedInAsync(context);
        if (caller is null) return refusal!;
        await using var db = factory.CreateDbContext();
        var rows = await db.Experiments.AsNoTracking().OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(context.RequestAborted);
        var calculated = await db.ExperimentResults.AsNoTracking().Select(r => new { r.Id, r.UpdatedAt }).ToDictionaryAsync(r => r.Id, r => r.UpdatedAt, context.RequestAborted);
        var views = rows.Where(r => caller.MayPostFor(r.EnvironmentId))
            .Select(r => new ExperimentView(DefinitionStore.ToDefinition(r), r.StoppedAt, calculated.TryGetValue(r.Id, out var at) ? at : null))
            .ToList();
        return Page(context, ExperimentViews.List(views), StatusCodes.Status200OK);
    }

    private static async Task<IResult> ShowAsync(HttpContext context, Guid experimentId)
    {
        var (caller, refusal) = await SignedInAsync(context);
        if (caller is null) return refusal!;
        var (view, json) = await LoadAsync(context, experimentId, caller);
        if (view is null)
        {
            return Page(context, ExperimentViews.Message("Experiment not found", "error", $"No experiment {experimentId:D} (or not in this key's environments).", signedIn: true),
                StatusCodes.Status404NotFound);
        }
        return Page(context, ExperimentViews.Experiment(view, json, TakeNotice(context, experimentId)), StatusCodes.Status200OK);
    }

    /// <summary>303 to the experiment page, which then shows <paramref name="text"/> once (<see cref="NoticeCookie"/>).</summary>
    private static IResult ShowOnce(HttpContext context, Guid experimentId, string kind, string text)
    {
        context.Response.Cookies.Append(NoticeCookie, Uri.EscapeDataString($"{kind}|{text}"), NoticeOptions(context, experimentId, NoticeLifetime));
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Location = $"/experiments/{experimentId:D}";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>The notice left by the last button (as HTML), deleting its cookie so that a reload shows it no more; null when none.</summary>
    private static string? TakeNotice(HttpContext context, Guid experimentId)
    {
        if (!context.Request.Cookies.TryGetValue(NoticeCookie, out var value) || string.IsNullOrEmpty(value)) return null;
        context.Response.Cookies.Delete(NoticeCookie, NoticeOptions(context, experimentId, TimeSpan.Zero));
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return null;
        }
        var bar = decoded.IndexOf('|', StringComparison.Ordinal);
        if (bar <= 0) return null;
        var kind = decoded[..bar] switch { "ok" => "ok", "info" => "info", _ => "error" };
        return Html.Notice(kind, decoded[(bar + 1)..], id: "notice");
    }

    private static CookieOptions NoticeOptions(HttpContext context, Guid experimentId, TimeSpan maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = $"/experiments/{experimentId:D}",
        MaxAge = maxAge,
        IsEssential = true,
    };

    private static async Task<IResult> CommandAsync<T>(HttpContext context, Guid experimentId, T command) where T : class
    {
        var (caller, refusal) = await SignedInAsync(context);
        if (caller is null) return refusal!;
        if (!PageSignIn.IsSameOrigin(context)) return Forbidden(context);
        var (view, _) = await LoadAsync(context, experimentId, caller);
        if (view is null) return await ShowAsync(context, experimentId);
        var answer = await Sender(context).SendAsync(experimentId, command, context.RequestAborted);
        var verb = typeof(T) == typeof(StartExperiment) ? "Start" : typeof(T) == typeof(StopExperiment) ? "Stop" : typeof(T).Name;
        var (kind, text) = answer.Outcome switch
        {
            CommandOutcome.Accepted => ("ok", $"{verb} accepted: {answer.Detail} (status {answer.Status})."),
            CommandOutcome.Rejected => ("error", $"{verb} rejected: {answer.Detail} (status {answer.Status})."),
            CommandOutcome.UnknownExperiment => ("error", $"{verb} rejected: {answer.Detail}."),
            _ => ("error", $"{verb}: {answer.Detail}."),
        };
        return ShowOnce(context, experimentId, kind, text);
    }

    private static async Task<IResult> CalculateAsync(HttpContext context, Guid experimentId)
    {
        var (caller, refusal) = await SignedInAsync(context);
        if (caller is null) return refusal!;
        if (!PageSignIn.IsSameOrigin(context)) return Forbidden(context);
        var (view, _) = await LoadAsync(context, experimentId, caller);
        if (view is null) return await ShowAsync(context, experimentId);
        await Sender(context).RequestCalculationAsync(experimentId, context.RequestAborted);
        return ShowOnce(context, experimentId, "info",
            "Calculation requested: reload in a few seconds to see the new results (the time of the last calculation changes).");
    }

    private static async Task<(ExperimentView? View, string? ResultJson)> LoadAsync(HttpContext context, Guid experimentId, ApiCaller caller)
    {
        await using var db = context.RequestServices.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        var row = await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Id == experimentId, context.RequestAborted);
        if (row is null || !caller.MayPostFor(row.EnvironmentId)) return (null, null);
        var result = await db.ExperimentResults.AsNoTracking().SingleOrDefaultAsync(r => r.Id == experimentId, context.RequestAborted);
        return (new ExperimentView(DefinitionStore.ToDefinition(row), row.StoppedAt, result?.UpdatedAt), result?.Data);
    }

    private static ExperimentCommandSender Sender(HttpContext context) =>
        new(context.RequestServices.GetRequiredService<Api.OperatorCommandClient>());

    /// <summary>The admin caller, or the page to answer instead: 401 + sign-in form, 403 + sign-in form, 503.</summary>
    private static async Task<(ApiCaller? Caller, IResult? Refusal)> SignedInAsync(HttpContext context)
    {
        var (outcome, caller) = await PageSignIn.CallerAsync(context);
        var here = LocalPath(context.Request.Path.Value);
        return outcome switch
        {
            PageSignIn.Outcome.SignedIn => (caller, null),
            PageSignIn.Outcome.NoKey => (null, Page(context, ExperimentViews.SignIn(here, null), StatusCodes.Status401Unauthorized)),
            PageSignIn.Outcome.NotAllowed => (null, Page(context, ExperimentViews.SignIn(here, "This key is unknown, revoked, or not an admin key."), StatusCodes.Status403Forbidden)),
            _ => (null, Unavailable(context)),
        };
    }

    private static IResult Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return Page(context, ExperimentViews.Message("Unavailable", "error", "API keys could not be read (database unavailable). Try again in a few seconds.", signedIn: false),
            StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult Forbidden(HttpContext context) =>
        Page(context, ExperimentViews.Message("Forbidden", "error", "This form was posted from another site.", signedIn: false), StatusCodes.Status403Forbidden);

    /// <summary>Only paths of these pages are followed after sign-in (never another site: no open redirect).</summary>
    private static string LocalPath(string? path) =>
        path is { Length: > 0 } p && p.StartsWith("/experiments", StringComparison.Ordinal) && !p.StartsWith("//", StringComparison.Ordinal)
            && !p.Contains('\\') && !p.StartsWith("/experiments/login", StringComparison.Ordinal)
            && !p.StartsWith("/experiments/logout", StringComparison.Ordinal)
            ? (p.EndsWith("/start", StringComparison.Ordinal) || p.EndsWith("/stop", StringComparison.Ordinal) || p.EndsWith("/calculations", StringComparison.Ordinal)
                ? p[..p.LastIndexOf('/')] : p)
            : "/experiments";

    /// <summary>An HTML answer with headers for a page that shows private data and runs no script.</summary>
    private static IResult Page(HttpContext context, string html, int status)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin"; // not no-referrer: forms would then post Origin: null (PageSignIn.IsSameOrigin)
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        return Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }
}
