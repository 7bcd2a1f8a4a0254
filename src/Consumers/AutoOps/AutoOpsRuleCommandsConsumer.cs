using MassTransit;
using Microsoft.EntityFrameworkCore;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Consumers.AutoOps;

/// <summary>
/// Creates, stops and deletes auto-ops rules (rows of <c>auto_ops_rule</c>, with event-rate clauses) on queue
/// <see cref="AutoOpsRegistration.EndpointName"/>: what the OPS persisters count ops counts for and what the demand controllers read. Every command is answered with
/// <see cref="AutoOpsCommandAccepted"/> (a repeat says "already ...") or <see cref="AutoOpsCommandRejected"/> with the
/// reason (<c>Command</c> is the command's wire name, e.g. <c>CreateEventRateRule</c>); every change of whether a rule is active publishes <see cref="PersisterDemandChanged"/> after the row is saved.
/// </summary>
/// <remarks>
/// Whether a rule is active (counted, so the OPS persisters are needed) is <see cref="ActiveAutoOpsRule"/>. A created rule is Waiting:
/// it counts from creation on. Stop makes it Stopped (counts kept); delete flags the row (counts kept, rule no longer listed).
/// Two creates of one id racing meet on the primary key; the retry of the endpoint then sees the row and answers "already exists".
/// </remarks>
public sealed class AutoOpsRuleCommandsConsumer(IPersistersDbContextFactory databases, TimeProvider clock) :
    IConsumer<CreateAutoOpsRule>,
    IConsumer<StopAutoOpsRule>,
    IConsumer<DeleteAutoOpsRule>
{
    public async Task Consume(ConsumeContext<CreateAutoOpsRule> context)
    {
        var m = context.Message;
        const string command = CreateAutoOpsRule.MessageName;
        if (AutoOpsRuleValidation.ProblemWithCreate(m) is { } problem)
        {
            await context.RespondAsync(new AutoOpsCommandRejected { RuleId = m.RuleId, Command = command, Reason = problem });
            return;
        }
        await using var db = databases.CreateDbContext();
        var row = await db.AutoOpsRules.FindAsync([m.RuleId], context.CancellationToken);
        if (row is not null)
        {
            var same = !row.Deleted && row.EnvironmentId == m.EnvironmentId && row.FeatureId == m.FeatureId && row.FeatureVersion == m.FeatureVersion
                       && DefinitionStore.ToDefinition(row).Clauses.SequenceEqual(m.Clauses);
            if (same)
            {
                await context.RespondAsync(Accepted(row, command, "already exists"));
            }
            else
            {
                await context.RespondAsync(new AutoOpsCommandRejected
                {
                    RuleId = m.RuleId, Command = command, Status = (AutoOpsRuleStatus)row.Status,
                    Reason = row.Deleted ? "a deleted rule's id cannot be used again" : "a different rule with this id exists",
                });
            }
            return;
        }

        if (await ClauseOfAnotherRuleAsync(db, m, context.CancellationToken) is { } taken)
        {
            await context.RespondAsync(new AutoOpsCommandRejected { RuleId = m.RuleId, Command = command, Reason = taken });
            return;
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        row = new AutoOpsRuleRow
        {
            Id = m.RuleId,
            EnvironmentId = m.EnvironmentId,
            FeatureId = m.FeatureId,
            FeatureVersion = m.FeatureVersion,
            Clauses = DefinitionStore.ClausesJson(m.Clauses),
            Status = (int)AutoOpsRuleStatus.Waiting,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.AutoOpsRules.Add(row);
        await db.SaveChangesAsync(context.CancellationToken);
        await context.Publish(DemandChanged(row, now));
        await context.RespondAsync(Accepted(row, command, "created"));
    }

    public Task Consume(ConsumeContext<StopAutoOpsRule> context) =>
        ChangeAsync(context, context.Message.RuleId, StopAutoOpsRule.MessageName, row =>
        {
            if (row.Deleted) return (false, "a deleted rule cannot be stopped");
            if (!ActiveAutoOpsRule.IsActive(row)) return (false, $"already {Describe(row)}");
            row.Status = (int)AutoOpsRuleStatus.Stopped;
            return (true, "stopped");
        });

    public Task Consume(ConsumeContext<DeleteAutoOpsRule> context) =>
        ChangeAsync(context, context.Message.RuleId, DeleteAutoOpsRule.MessageName, row =>
        {
            if (row.Deleted) return (false, "already deleted");
            row.Deleted = true;
            return (true, "deleted");
        });

    /// <param name="change">Changes the row and returns (changed, detail); a detail starting with "already" is an accepted repeat, any other unchanged detail a rejection.</param>
    private async Task ChangeAsync<T>(ConsumeContext<T> context, Guid ruleId, string command, Func<AutoOpsRuleRow, (bool Changed, string Detail)> change)
        where T : class
    {
        await using var db = databases.CreateDbContext();
        var row = await db.AutoOpsRules.FindAsync([ruleId], context.CancellationToken);
        if (row is null)
        {
            await context.RespondAsync(new AutoOpsCommandRejected { RuleId = ruleId, Command = command, Reason = "no such rule" });
            return;
        }
        var wasActive = ActiveAutoOpsRule.IsActive(row);
        var before = (AutoOpsRuleStatus)row.Status;
        var (changed, detail) = change(row);
        if (!changed)
        {
            if (detail.StartsWith("already", StringComparison.Ordinal)) await context.RespondAsync(Accepted(row, command, detail));
            else await context.RespondAsync(new AutoOpsCommandRejected { RuleId = ruleId, Command = command, Status = before, Reason = detail });
            return;
        }
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        row.UpdatedAt = now;
        await db.SaveChangesAsync(context.CancellationToken);
        if (wasActive != ActiveAutoOpsRule.IsActive(row)) await context.Publish(DemandChanged(row, now));
        await context.RespondAsync(Accepted(row, command, detail));
    }

    /// <summary>
    /// OPS counts are kept per clause id (<c>ops_count</c>, <c>ops_user</c>), so a clause id of another rule, deleted or not, would
    /// merge two rules' counts.
    /// </summary>
    private static async Task<string?> ClauseOfAnotherRuleAsync(PersistersDbContext db, CreateAutoOpsRule m, CancellationToken ct)
    {
        foreach (var clause in m.Clauses)
        {
            var text = clause.ClauseId.ToString("D");
            var candidates = await db.AutoOpsRules.AsNoTracking().Where(r => r.Id != m.RuleId && r.Clauses.Contains(text)).ToListAsync(ct);
            if (candidates.FirstOrDefault(r => DefinitionStore.ToDefinition(r).Clauses.Any(c => c.ClauseId == clause.ClauseId)) is { } owner)
            {
                return $"ClauseId {clause.ClauseId} belongs to rule {owner.Id}; clause ids are unique across rules";
            }
        }
        return null;
    }

    private static string Describe(AutoOpsRuleRow row) => ((AutoOpsRuleStatus)row.Status).ToString().ToLowerInvariant();

    private static AutoOpsCommandAccepted Accepted(AutoOpsRuleRow row, string command, string detail) => new()
    {
        RuleId = row.Id, Command = command, Status = (AutoOpsRuleStatus)row.Status, Deleted = row.Deleted, Detail = detail,
    };

    private static PersisterDemandChanged DemandChanged(AutoOpsRuleRow row, long now) => new()
    {
        RuleId = row.Id,
        EnvironmentId = row.EnvironmentId,
        IsLive = ActiveAutoOpsRule.IsActive(row),
        Timestamp = now,
    };
}
