using Persisters.Host.Ingest;

namespace Persisters.Host.Pages;

/// <summary>
/// Who may read and operate the results pages: the holder of an <c>admin</c> API key (the role of the operator API). Ingest keys
/// are not enough: they sit inside SDKs shipped to browsers and phones, and results are the product's business. The key comes in
/// <c>Authorization</c> (bare or <c>Bearer </c>, as for the API: curl, scripts) or in the cookie <see cref="CookieName"/> set by the
/// sign-in form: HttpOnly (no script reads it), <c>SameSite=Strict</c> (no other site's page can post with it), <c>Secure</c> on
/// HTTPS, path <c>/experiments</c>, for the browser session. Every request checks the key again (<see cref="ApiKeyVerifier"/>), so a
/// revoked key stops working within <c>Persisters:DefinitionsRefreshInterval</c>. An admin key naming environments sees only
/// experiments of those environments.
/// </summary>
internal static class PageSignIn
{
    public const string CookieName = "persisters_admin_key";
    public const string CookiePath = "/experiments";

    public enum Outcome { SignedIn, NoKey, NotAllowed, Unavailable }

    /// <summary>The verified admin caller of the request, or why there is none.</summary>
    public static async Task<(Outcome Outcome, ApiCaller? Caller)> CallerAsync(HttpContext context)
    {
        var presented = context.Request.Headers.Authorization.ToString();
        if (presented.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = presented[7..];
        presented = presented.Trim();
        if (presented.Length == 0) presented = context.Request.Cookies[CookieName]?.Trim() ?? "";
        if (presented.Length == 0) return (Outcome.NoKey, null);
        return await VerifyAsync(context, presented);
    }

    /// <summary>Checks a presented key: an unknown, revoked or ingest key is <see cref="Outcome.NotAllowed"/>.</summary>
    public static async Task<(Outcome Outcome, ApiCaller? Caller)> VerifyAsync(HttpContext context, string key)
    {
        try
        {
            var caller = await context.RequestServices.GetRequiredService<ApiKeyVerifier>().VerifyAsync(key, context.RequestAborted);
            return caller is { Role: ApiKeyRole.Admin } ? (Outcome.SignedIn, caller) : (Outcome.NotAllowed, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.RequestServices.GetRequiredService<ILogger<ApiKeyVerifier>>().LogError(ex, "API keys could not be read");
            return (Outcome.Unavailable, null);
        }
    }

    public static void Remember(HttpContext context, string key) =>
        context.Response.Cookies.Append(CookieName, key, Options(context));

    public static void Forget(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, Options(context));

    /// <summary>
    /// A form post comes from one of our own pages: with <c>SameSite=Strict</c> the browser sends no cookie on another site's post
    /// anyway; a present <c>Origin</c> header that names another origin (or "null") is refused as well (defence in depth, OWASP's
    /// CSRF advice). The pages send <c>Referrer-Policy: same-origin</c>: with <c>no-referrer</c> a browser posts their forms with
    /// <c>Origin: null</c>.
    /// </summary>
    public static bool IsSameOrigin(HttpContext context)
    {
        // A key in Authorization is never attached by a browser on its own: such a request cannot be forged by another site.
        if (context.Request.Headers.Authorization.Count > 0) return true;
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0) return true;
        return string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    private static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = CookiePath,
        IsEssential = true,
    };
}
