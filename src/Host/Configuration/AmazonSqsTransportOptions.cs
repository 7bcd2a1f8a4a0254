using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Persisters.Host.Configuration;

/// <summary>
/// Section <c>Transport:AmazonSqs</c>: Region (required), ServiceUrl (an SQS-compatible server; optional), AccessKey and
/// SecretKey (both or neither; neither = the default AWS credential chain; SecretKeyFile works like every *File setting),
/// QueuePrefix (optional; put in front of every queue name).
/// </summary>
public sealed partial class AmazonSqsTransportOptions
{
    private const string Path = "Transport:AmazonSqs";

    public string Region { get; set; } = "";
    public Uri? ServiceUrl { get; set; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public string QueuePrefix { get; set; } = "";

    internal void Normalize()
    {
        Region = Region.Trim();
        if (string.IsNullOrEmpty(AccessKey)) AccessKey = null;
        if (string.IsNullOrEmpty(SecretKey)) SecretKey = null;
    }

    internal IEnumerable<ValidationResult> Validate()
    {
        if (Region.Length == 0)
        {
            yield return new($"{Path}:Region is required when Transport:Kind is AmazonSqs, e.g. us-east-1 (environment: {Env("Region")}).", [nameof(Region)]);
        }
        else if (!RegionName().IsMatch(Region))
        {
            yield return new($"'{Region}' is not an AWS region name such as us-east-1.", [nameof(Region)]);
        }
        if (ServiceUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new($"'{url.OriginalString}' is not an absolute http(s) URL.", [nameof(ServiceUrl)]);
        }
        if ((AccessKey is null) != (SecretKey is null))
        {
            var missing = AccessKey is null ? "AccessKey" : "SecretKey";
            yield return new($"{Path}:{missing} is required when {Path}:{(AccessKey is null ? "SecretKey" : "AccessKey")} is set: give both, or neither " +
                $"to use the default AWS credential chain (environment: {Env(missing)}" + (missing == "SecretKey" ? $", or {Env("SecretKeyFile")})." : ")."), [missing]);
        }
        if (QueuePrefix.Length > 0 && !Prefix().IsMatch(QueuePrefix))
        {
            yield return new($"'{QueuePrefix}' may contain only letters, digits, '-' and '_', at most 40 characters.", [nameof(QueuePrefix)]);
        }
    }

    private static string Env(string key) => Settings.EnvironmentName($"{Path}:{key}");

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionName();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex Prefix();
}
