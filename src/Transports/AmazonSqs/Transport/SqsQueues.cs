using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Queue names and queues: the physical SQS name of a logical (MassTransit) queue name, and each queue's URL, the queue
/// created on first use (with a redrive policy to its <c>_error</c> queue unless terminal or temporary) and cached; queue
/// attributes; deletion of a temporary queue.
/// </summary>
/// <param name="settings">The host settings (queue name prefix, redrive policy's receive count).</param>
/// <param name="client">The SQS client, asked for on each call (created on first use).</param>
internal sealed class SqsQueues(AmazonSqsHostSettings settings, Func<IAmazonSQS> client)
{
    /// <summary>SQS queue names have at most 80 characters.</summary>
    public const int MaxQueueNameLength = 80;

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _queueUrls = new(StringComparer.Ordinal);

    private IAmazonSQS Client => client();

    /// <summary>Logical names ending like this are terminal: created without a redrive policy and never subscribed.</summary>
    public static bool IsTerminal(string logicalName) =>
        logicalName.EndsWith("_error", StringComparison.Ordinal) || logicalName.EndsWith("_skipped", StringComparison.Ordinal);

    /// <summary>
    /// The SQS queue name for a logical (MassTransit) queue name: prefix + name, characters other than ASCII letters, digits,
    /// '-' and '_' replaced by '-', at most 80 characters (a longer name keeps 71 and appends '-' and 8 hex digits of its SHA-256).
    /// </summary>
    public string PhysicalName(string logicalName)
    {
        var builder = new StringBuilder(settings.QueueNamePrefix.Length + logicalName.Length);
        builder.Append(settings.QueueNamePrefix);
        foreach (var c in logicalName)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        var name = builder.ToString();
        if (name.Length <= MaxQueueNameLength)
            return name;
        // Too long: keep a readable head and make it unique with a hash of the full name.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        return name[..71] + "-" + hash;
    }

    /// <summary>The URL of a queue, created on first use (with a redrive policy to its _error queue unless terminal).</summary>
    /// <exception cref="AmazonSQSException">SQS refused or cannot be reached (the next call tries again).</exception>
    public Task<string> GetQueueUrl(string logicalName, CancellationToken cancellationToken = default) =>
        GetQueueUrl(logicalName, false, cancellationToken);

    /// <param name="logicalName">The logical queue name.</param>
    /// <param name="temporary">A temporary queue (the bus endpoint's) gets no redrive policy and no _error queue.</param>
    /// <param name="cancellationToken">Stops waiting (the creation itself goes on and is cached).</param>
    public async Task<string> GetQueueUrl(string logicalName, bool temporary, CancellationToken cancellationToken)
    {
        var physical = PhysicalName(logicalName);
        var lazy = _queueUrls.GetOrAdd(physical, _ => new Lazy<Task<string>>(() => EnsureQueue(logicalName, physical, temporary)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _queueUrls.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(physical, lazy));
            throw;
        }
    }

    /// <summary>Sets attributes of a queue (SetQueueAttributes), the queue created first if missing.</summary>
    /// <param name="logicalName">The logical queue name.</param>
    /// <param name="attributes">SQS attribute names (<see cref="QueueAttributeName"/>) and their values, as SQS takes them.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="AmazonSQSException">SQS refused a value or cannot be reached.</exception>
    public async Task SetQueueAttributes(string logicalName, Dictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        var url = await GetQueueUrl(logicalName, cancellationToken);
        await Client.SetQueueAttributesAsync(new SetQueueAttributesRequest { QueueUrl = url, Attributes = attributes }, cancellationToken);
    }

    /// <summary>Deletes a queue this host created or looked up (a temporary endpoint's); a failure is logged, not thrown.</summary>
    public async Task DeleteQueue(string logicalName, CancellationToken cancellationToken = default)
    {
        var physical = PhysicalName(logicalName);
        if (!_queueUrls.TryRemove(physical, out var lazy))
            return;
        try
        {
            var url = await lazy.Value;
            await Client.DeleteQueueAsync(new DeleteQueueRequest { QueueUrl = url }, cancellationToken);
        }
        catch (Exception exception)
        {
            LogContext.Warning?.Log(exception, "Deleting temporary SQS queue {QueueName} failed", physical);
        }
    }

    private async Task<string> EnsureQueue(string logicalName, string physicalName, bool temporary)
    {
        try
        {
            var existing = await Client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = physicalName });
            return existing.QueueUrl;
        }
        catch (QueueDoesNotExistException)
        {
        }

        var attributes = new Dictionary<string, string>();
        if (!IsTerminal(logicalName) && !temporary)
        {
            var errorUrl = await GetQueueUrl(logicalName + "_error");
            var errorAttributes = await Client.GetQueueAttributesAsync(new GetQueueAttributesRequest
            {
                QueueUrl = errorUrl,
                AttributeNames = [QueueAttributeName.QueueArn],
            });
            if (errorAttributes.Attributes?.TryGetValue(QueueAttributeName.QueueArn, out var arn) == true && !string.IsNullOrEmpty(arn))
            {
                attributes[QueueAttributeName.RedrivePolicy] = JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["deadLetterTargetArn"] = arn,
                    ["maxReceiveCount"] = settings.MaxReceiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
            }
        }

        try
        {
            var created = await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = physicalName, Attributes = attributes });
            LogContext.Debug?.Log("Created SQS queue {QueueName}", physicalName);
            return created.QueueUrl;
        }
        catch (QueueNameExistsException)
        {
            // Created concurrently by someone else with other attributes: use it as it is.
            var existing = await Client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = physicalName });
            return existing.QueueUrl;
        }
    }
}
