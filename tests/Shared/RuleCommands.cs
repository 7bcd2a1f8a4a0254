using Microsoft.EntityFrameworkCore;
using Persisters.Consumers.AutoOps;
using Persisters.Contracts;
using Persisters.Persistence.Model;

namespace Persisters.Tests.Support;

/// <summary>
/// The auto-ops rule commands as a test sends them: to the rule command consumer's queue
/// (<see cref="AutoOpsRegistration.EndpointName"/>), as a request, on any harness whose bus has <c>AddAutoOpsRules</c>.
/// </summary>
public static class RuleCommands
{
    /// <summary>Sends an auto-ops rule command as a request (30 s timeout) and returns the answer.</summary>
    public static async Task<RuleAnswer> SendRuleCommandAsync<T>(this HarnessHost host, T command) where T : class
    {
        var (accepted, rejected) = await host.RequestAsync<T, AutoOpsCommandAccepted, AutoOpsCommandRejected>(AutoOpsRegistration.EndpointName, command);
        return new RuleAnswer(accepted, rejected);
    }

    /// <summary>The rule's row, or <c>null</c> when there is none.</summary>
    public static Task<AutoOpsRuleRow?> RuleRowAsync(this HarnessHost host, Guid ruleId) =>
        host.QueryAsync(db => db.AutoOpsRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == ruleId));
}
