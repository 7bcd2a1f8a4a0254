using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Persisters.ServiceBus.Emulator.Security;

/// <summary>Service Bus access rights of a shared access authorization rule.</summary>
[Flags]
public enum AccessRights { None = 0, Listen = 1, Send = 2, Manage = 4, All = Listen | Send | Manage }

/// <summary>A namespace-level shared access key (Service Bus's SharedAccessAuthorizationRule).</summary>
public sealed record SharedAccessKey(string Name, string Key, AccessRights Rights);

/// <summary>What a valid token grants: the rights of its key on every entity below <see cref="ResourcePath"/>.</summary>
public sealed record SasGrant(string KeyName, string ResourcePath, AccessRights Rights, DateTime ExpiresAtUtc)
{
    /// <summary>True when the token's resource covers <paramref name="entityPath"/> (same path or a parent, case-insensitive).</summary>
    public bool Covers(string entityPath)
    {
        if (ResourcePath.Length == 0)
        {
            return true;
        }

        string path = entityPath.Trim('/');
        return path.Equals(ResourcePath, StringComparison.OrdinalIgnoreCase)
            || path.StartsWith(ResourcePath + "/", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// Validates Service Bus shared access signatures as the service does
/// ("SharedAccessSignature sr={url-encoded resource}&amp;sig={signature}&amp;se={expiry}&amp;skn={key name}"):
/// the key name must be one of the namespace's keys, the signature must be the base64 HMAC-SHA256, keyed with the
/// key's UTF-8 bytes, of "{sr as sent}\n{se}", and the expiry (Unix seconds) must lie ahead.
/// The resource's scheme and host are not compared (the SDK signs "amqps://host/" and asks for "amqp://host/entity");
/// its path must be the entity's path or a parent of it.
/// </summary>
public sealed class SasAuthority
{
    private const string Prefix = "SharedAccessSignature ";
    private readonly Dictionary<string, SharedAccessKey> keys;

    public SasAuthority(IEnumerable<SharedAccessKey> keys)
    {
        this.keys = keys.ToDictionary(k => k.Name, StringComparer.Ordinal);
        if (this.keys.Count == 0)
        {
            throw new ArgumentException("At least one shared access key is required.", nameof(keys));
        }
    }

    public IReadOnlyCollection<SharedAccessKey> Keys => keys.Values;

    /// <summary>Validates a SAS token.</summary>
    /// <returns>The grant, or null with <paramref name="error"/> in Service Bus's wording.</returns>
    public SasGrant? Validate(string? token, DateTime now, out string error)
    {
        error = "";
        if (string.IsNullOrWhiteSpace(token) || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = "InvalidSignature: The token is not a SharedAccessSignature.";
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string part in token[Prefix.Length..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq > 0)
            {
                fields[part[..eq].Trim()] = part[(eq + 1)..];
            }
        }

        if (!fields.TryGetValue("sr", out string? sr) || !fields.TryGetValue("sig", out string? sig)
            || !fields.TryGetValue("se", out string? se) || !fields.TryGetValue("skn", out string? skn))
        {
            error = "InvalidSignature: The token is missing one of sr, sig, se, skn.";
            return null;
        }

        string keyName = WebUtility.UrlDecode(skn);
        if (!keys.TryGetValue(keyName, out SharedAccessKey? key))
        {
            error = $"InvalidSignature: The token has an invalid signature (unknown key name '{keyName}').";
            return null;
        }

        string expiry = WebUtility.UrlDecode(se);
        using (var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(key.Key)))
        {
            byte[] expected = hmac.ComputeHash(Encoding.UTF8.GetBytes(sr + "\n" + expiry));
            byte[] given;
            try
            {
                given = Convert.FromBase64String(WebUtility.UrlDecode(sig));
            }
            catch (FormatException)
            {
                error = "InvalidSignature: The token has an invalid signature.";
                return null;
            }

            if (!CryptographicOperations.FixedTimeEquals(expected, given))
            {
                error = "InvalidSignature: The token has an invalid signature.";
                return null;
            }
        }

        if (!long.TryParse(expiry, NumberStyles.Integer, CultureInfo.InvariantCulture, out long seconds))
        {
            error = "InvalidSignature: The token expiry is not a number.";
            return null;
        }

        DateTime expiresAt = DateTime.UnixEpoch.AddSeconds(seconds);
        if (expiresAt <= now)
        {
            error = $"ExpiredToken: The token is expired. Expiration time: '{expiresAt:O}'.";
            return null;
        }

        string resource = WebUtility.UrlDecode(sr);
        string resourcePath = Uri.TryCreate(resource, UriKind.Absolute, out Uri? uri)
            ? Uri.UnescapeDataString(uri.AbsolutePath)
            : resource.Contains('/') ? resource[resource.IndexOf('/')..] : "";
        return new SasGrant(key.Name, resourcePath.Trim('/'), key.Rights, expiresAt);
    }

    /// <summary>SASL PLAIN: the user name is a key name and the password its key.</summary>
    public SharedAccessKey? AuthenticatePlain(string userName, string password) =>
        keys.TryGetValue(userName, out SharedAccessKey? key)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key.Key), Encoding.UTF8.GetBytes(password))
            ? key
            : null;

    /// <summary>Builds a token as the SDK does (for tests and tools).</summary>
    public static string CreateToken(string resource, string keyName, string key, TimeSpan validFor)
    {
        string encodedResource = WebUtility.UrlEncode(resource);
        string expiry = DateTimeOffset.UtcNow.Add(validFor).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(key));
        string signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry)));
        return $"SharedAccessSignature sr={encodedResource}&sig={WebUtility.UrlEncode(signature)}&se={expiry}&skn={WebUtility.UrlEncode(keyName)}";
    }
}
