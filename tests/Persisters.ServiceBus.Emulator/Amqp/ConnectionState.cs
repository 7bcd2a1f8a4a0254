using System.Collections.Concurrent;
using Microsoft.Azure.Amqp;
using Persisters.ServiceBus.Emulator.Security;

namespace Persisters.ServiceBus.Emulator.Amqp;

/// <summary>
/// Per-connection state: the CBS tokens put on this connection (by audience) or the key of a SASL PLAIN login,
/// and the reply links of the request/response nodes ($cbs, $management) by their reply-to address.
/// </summary>
public sealed class ConnectionState
{
    private readonly object sync = new();
    private readonly Dictionary<string, SasGrant> grantsByAudience = new(StringComparer.OrdinalIgnoreCase);

    public ConnectionState(AmqpConnection connection)
    {
        Connection = connection;
    }

    public AmqpConnection Connection { get; }

    /// <summary>Set when the connection logged in with SASL PLAIN (key name / key): the key's rights on every entity.</summary>
    public SharedAccessKey? PlainKey { get; set; }

    public ConcurrentDictionary<string, SendingAmqpLink> ReplyLinks { get; } = new(StringComparer.Ordinal);

    public void AddGrant(string audiencePath, SasGrant grant)
    {
        lock (sync)
        {
            grantsByAudience[audiencePath.Trim('/')] = grant;
        }
    }

    /// <summary>
    /// True when a token put on this connection for <paramref name="addressPath"/> (or a parent of it) has not expired
    /// and carries one of <paramref name="needed"/>.
    /// </summary>
    public bool IsAuthorized(string addressPath, AccessRights needed, DateTime now)
    {
        if (PlainKey != null)
        {
            return (PlainKey.Rights & needed) != 0;
        }

        string path = addressPath.Trim('/');
        lock (sync)
        {
            foreach (var (audience, grant) in grantsByAudience)
            {
                bool covers = audience.Length == 0
                    || path.Equals(audience, StringComparison.OrdinalIgnoreCase)
                    || path.StartsWith(audience + "/", StringComparison.OrdinalIgnoreCase);
                if (covers && grant.ExpiresAtUtc > now && (grant.Rights & needed) != 0)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
