using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Persisters.Host.Pages;

/// <summary>
/// The pages' HTML: every text that comes from data goes through <see cref="E"/> (<see cref="HtmlEncoder.Default"/>), the layout is
/// one document with embedded CSS (no script, no external resource), readable from 320 px wide (below 640 px a results table becomes one
/// card per variation; other tables scroll sideways in their own box). Numbers are written with the invariant culture.
/// </summary>
internal static class Html
{
    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>HTML-encodes text for an element's content or a quoted attribute value.</summary>
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>A unix-seconds instant as "yyyy-MM-dd HH:mm:ss UTC" in a <c>&lt;time&gt;</c> element.</summary>
    public static string Time(long unixSeconds)
    {
        var t = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unixSeconds, 0, Cli.OperatorCommands.MaxUnixSeconds));
        return $"<time datetime=\"{t.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant)}\">{t.ToString("yyyy-MM-dd HH:mm:ss", Invariant)} UTC</time>";
    }

    /// <summary>A whole document: title, the shared style, a top bar and <paramref name="body"/> (already HTML).</summary>
    public static string Document(string title, string body, bool signedIn)
    {
        var html = new StringBuilder(body.Length + 3000);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" · Persisters</title><style>").Append(Style).Append("</style></head><body>")
            .Append("<header><a class=\"brand\" href=\"/\">Persisters</a> <a href=\"/experiments\">Experiments</a>");
        if (signedIn)
        {
            html.Append("<form method=\"post\" action=\"/experiments/logout\" class=\"inline right\"><button type=\"submit\" class=\"link\">Sign out</button></form>");
        }
        html.Append("</header><main>").Append(body).Append("</main></body></html>\n");
        return html.ToString();
    }

    /// <summary>
    /// A message box: <paramref name="kind"/> is "ok", "error" or "info" (its CSS class and ARIA role follow); <paramref name="id"/> is
    /// given only to the one box a page has of its kind (the answer to the operator's action is "notice"): ids are unique in a page.
    /// </summary>
    public static string Notice(string kind, string text, string? id = null) =>
        $"<p class=\"notice {kind}\" role=\"{(kind == "error" ? "alert" : "status")}\"{(id is null ? "" : $" id=\"{E(id)}\"")}>{E(text)}</p>";

    private const string Style = """
        :root{color-scheme:light;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--accent:#0969da;--ok:#1a7f37;--bad:#cf222e}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#f6f8fa}
        header{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem;background:#24292f}
        header a,header .link{color:#fff;text-decoration:none}
        .brand{font-weight:700}
        .right{margin-left:auto}
        main{max-width:1120px;margin:0 auto;padding:1rem}
        h1{font-size:1.4rem;margin:.2rem 0 .6rem;overflow-wrap:anywhere}
        h2{font-size:1.15rem;margin:1.6rem 0 .5rem;overflow-wrap:anywhere}
        a{color:var(--accent)}
        .card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}
        dt{color:var(--muted)} dd{margin:0;overflow-wrap:anywhere}
        .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;background:#fff;border:1px solid var(--line);border-radius:6px}
        table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
        th,td{padding:.45rem .6rem;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
        th:first-child,td:first-child{text-align:left;position:sticky;left:0;background:#fff}
        thead th{background:#f6f8fa;font-weight:600}
        .status{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.85rem;border:1px solid var(--line);background:#fff}
        .status-Running{border-color:var(--ok);color:var(--ok)} .status-Stopped,.status-ForceStopped{border-color:var(--bad);color:var(--bad)}
        .notice{padding:.6rem .8rem;border-radius:6px;border:1px solid var(--line);background:#fff}
        .notice.ok{border-color:var(--ok)} .notice.error{border-color:var(--bad);color:var(--bad)}
        .actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.8rem 0}
        form.inline{display:inline;margin:0}
        button{font:inherit;padding:.5rem 1rem;min-height:44px;border-radius:6px;border:1px solid var(--line);background:#fff;cursor:pointer}
        button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
        button.danger{border-color:var(--bad);color:var(--bad)}
        button.link{border:0;background:none;min-height:0;padding:0;text-decoration:underline}
        input[type=password]{font:inherit;width:100%;padding:.5rem;min-height:44px;border:1px solid var(--line);border-radius:6px}
        label{display:block;margin:.4rem 0}
        figure{margin:.8rem 0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:.4rem}
        figure svg{display:block;width:100%;height:auto}
        .muted{color:var(--muted)}
        ul.links li{margin:.35rem 0}
        @media (max-width:640px){
          .scroll:has(table.results){overflow:visible;border:0;background:none}
          table.results thead{display:none}
          table.results,table.results tbody,table.results tr,table.results td{display:block;width:100%}
          table.results tr{background:#fff;border:1px solid var(--line);border-radius:6px;margin:0 0 .6rem}
          table.results td{display:flex;justify-content:space-between;gap:1rem;white-space:normal;text-align:right}
          table.results td:first-child{position:static;font-weight:600;background:#f6f8fa}
          table.results td[data-label]::before{content:attr(data-label);color:var(--muted);text-align:left}
        }
        """;
}
