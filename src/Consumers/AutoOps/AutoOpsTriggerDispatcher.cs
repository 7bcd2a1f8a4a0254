using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Consumers.Diagnostics;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.AutoOps;

/// <summary>
/// Acts the kill switch of triggered auto-ops rules: works their outbox (<c>auto_ops_trigger</c>) on every host: claims a due row with a lease (a conditional UPDATE,
/// so one host at a time), publishes <see cref="EventRateRuleTriggered"/>, <see cref="DisableFeature"/> and
/// <see cref="PersisterDemandChanged"/> (the rule is no longer active), records that, then POSTs the environment's webhook
/// (<see cref="TriggerWebhook"/>) and records its outcome, scheduling the next attempt with exponential backoff (1 s doubling,
/// at most 5 min) up to <see cref="AutoOpsOptions.WebhookMaxAttempts"/>. Runs when this host triggers a rule and every
/// <see cref="AutoOpsOptions.DispatchInterval"/>, so a trigger committed by a host that died before publishing is published by
/// any host within an interval of its restart or of the lease's end.
/// </summary>
/// <remarks>
/// Delivery is at least once: a host that dies after publishing but before recording it publishes again after the lease. The
/// messages' ids are derived from the trigger id and the webhook carries it as its idempotency key, so receivers drop repeats.
/// </remarks>
public sealed class AutoOpsTriggerDispatcher(
    PersistersDatabase database,
    AutoOpsTriggerStore store,
    AutoOpsRuleAssessor assessor,
    TriggerWebhook webhook,
    IBus bus,
    PersisterMetrics metrics,
    IOptions<AutoOpsOptions> options,
    TimeProvider clock,
    ILogger<AutoOpsTriggerDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    /// <summary>This process's lease owner name (host name, process id and a random part, at most 64 characters).</summary>
    public string Owner { get; } = $"{Persistence.ColumnText.Shorten(Environment.MachineName, 20)}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Dispatch)
        {
            logger.LogInformation("AutoOps:Dispatch is false: this host leaves publishing triggers and calling webhooks to the others");
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunOnceAsync(stoppingToken) > 0)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Kill-switch dispatch failed; retrying in {Interval}", options.Value.DispatchInterval);
            }
            try
            {
                await assessor.WaitAsync(options.Value.DispatchInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Works every trigger due now that no other host holds; returns how many it worked on.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var due = await database.ReadAsync((s, token) => store.DueAsync(s, now, 20, token), ct);
        var worked = 0;
        foreach (var id in due)
        {
            var claimed = await database.InTransactionAsync(async (s, token) =>
            {
                var at = clock.GetUtcNow().ToUnixTimeMilliseconds();
                return await store.TryClaimAsync(s, id, Owner, at, at + (long)options.Value.Lease.TotalMilliseconds, token) ? await store.ReadAsync(s, id, token) : null;
            }, ct);
            if (claimed is null) continue;
            worked++;
            await WorkAsync(claimed, ct);
        }
        return worked;
    }

    private async Task WorkAsync(AutoOpsTriggerRow row, CancellationToken ct)
    {
        var triggered = Message(row);
        if (row.PublishedAt is null)
        {
            try
            {
                await PublishAsync(row, triggered, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Publishing trigger {TriggerId} of rule {RuleId} failed; retrying", row.Id, row.AutoOpsRuleId);
                await ReleaseAsync(row, (WebhookDeliveryState)row.WebhookState, row.WebhookAttempts, row.WebhookLastAttemptAt, row.WebhookLastError,
                    clock.GetUtcNow().ToUnixTimeMilliseconds() + 1000, ct);
                return;
            }
            await database.InTransactionAsync(async (s, token) =>
            {
                await store.MarkPublishedAsync(s, row.Id, clock.GetUtcNow().ToUnixTimeMilliseconds(), token);
                return 0;
            }, ct);
        }

        if ((WebhookDeliveryState)row.WebhookState != WebhookDeliveryState.Pending)
        {
            await ReleaseAsync(row, (WebhookDeliveryState)row.WebhookState, row.WebhookAttempts, row.WebhookLastAttemptAt, row.WebhookLastError, null, ct);
            return;
        }
        if (!options.Value.Webhooks.TryGetValue(row.EnvironmentId, out var target))
        {
            await ReleaseAsync(row, WebhookDeliveryState.NotConfigured, row.WebhookAttempts, row.WebhookLastAttemptAt, null, null, ct);
            return;
        }
        var error = await webhook.SendAsync(target, triggered, ct);
        var attempts = row.WebhookAttempts + 1;
        var at = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (error is null)
        {
            metrics.WebhookAttempt("delivered");
            await ReleaseAsync(row, WebhookDeliveryState.Delivered, attempts, at, null, null, ct);
            return;
        }
        var givingUp = attempts >= options.Value.WebhookMaxAttempts;
        metrics.WebhookAttempt(givingUp ? "failed" : "retrying");
        logger.LogWarning("Webhook of trigger {TriggerId} (environment {EnvironmentId}) failed on attempt {Attempt} of {MaxAttempts}: {Error}",
            row.Id, row.EnvironmentId, attempts, options.Value.WebhookMaxAttempts, error);
        var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, attempts - 1)));
        await ReleaseAsync(row, givingUp ? WebhookDeliveryState.Failed : WebhookDeliveryState.Pending, attempts, at, error,
            givingUp ? null : at + (long)backoff.TotalMilliseconds, ct);
    }

    private async Task PublishAsync(AutoOpsTriggerRow row, EventRateRuleTriggered triggered, CancellationToken ct)
    {
        await bus.Publish(triggered, c => c.MessageId = row.Id, ct);
        await bus.Publish(new DisableFeature
        {
            TriggerId = row.Id,
            EnvironmentId = row.EnvironmentId,
            FeatureId = row.FeatureId,
            FeatureVersion = row.FeatureVersion,
            RuleId = row.AutoOpsRuleId,
            Comment = $"Kill switch: auto-ops rule {row.AutoOpsRuleId} triggered ({triggered.GoalUsers} of {triggered.EvaluationUsers} users of variation " +
                      $"{row.VariationId} reached goal {row.GoalId}, {(triggered.Operator == RateOperator.GreaterOrEqual ? ">=" : "<=")} {row.Threshold})",
        }, c => c.MessageId = DerivedId(row.Id, nameof(DisableFeature)), ct);
        await bus.Publish(new PersisterDemandChanged
        {
            RuleId = row.AutoOpsRuleId,
            EnvironmentId = row.EnvironmentId,
            IsLive = false,
            Timestamp = row.TriggeredAt / 1000,
        }, ct);
    }

    private Task ReleaseAsync(AutoOpsTriggerRow row, WebhookDeliveryState state, int attempts, long? lastAttemptAt, string? error, long? dueAt, CancellationToken ct) =>
        database.InTransactionAsync(async (s, token) =>
        {
            await store.RecordWebhookAsync(s, row.Id, Owner, (int)state, attempts, lastAttemptAt, Truncate(error, 255), dueAt, token);
            return 0;
        }, ct);

    /// <summary>The published trigger, from its outbox row (goal users clamped as assessed).</summary>
    public static EventRateRuleTriggered Message(AutoOpsTriggerRow row)
    {
        var goals = Math.Min(row.OpsEventCount, row.EvaluationCount);
        return new EventRateRuleTriggered
        {
            TriggerId = row.Id,
            RuleId = row.AutoOpsRuleId,
            EnvironmentId = row.EnvironmentId,
            FeatureId = row.FeatureId,
            FeatureVersion = row.FeatureVersion,
            ClauseId = row.ClauseId,
            VariationId = row.VariationId,
            GoalId = row.GoalId,
            EvaluationUsers = row.EvaluationCount,
            GoalUsers = goals,
            Rate = row.EvaluationCount == 0 ? 0 : (double)goals / row.EvaluationCount,
            Threshold = row.Threshold,
            Operator = (RateOperator)row.Operator,
            TriggeredAt = row.TriggeredAt,
        };
    }

    /// <summary>A stable id per (trigger, message kind), so a republished message keeps its id.</summary>
    public static Guid DerivedId(Guid triggerId, string kind) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes(triggerId.ToString("D") + "/" + kind)).AsSpan(0, 16));

    private static string? Truncate(string? text, int max) => text is null ? null : Persistence.ColumnText.Shorten(text, max);
}
