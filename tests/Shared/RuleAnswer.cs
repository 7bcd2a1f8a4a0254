using Persisters.Contracts;

namespace Persisters.Tests.Support;

/// <summary>What the auto-ops rule consumer answered to one command: exactly one of the two is set.</summary>
public sealed record RuleAnswer(AutoOpsCommandAccepted? Accepted, AutoOpsCommandRejected? Rejected)
    : CommandAnswer<AutoOpsCommandAccepted, AutoOpsCommandRejected>(Accepted, Rejected)
{
    protected override string DetailOf(AutoOpsCommandAccepted accepted) => accepted.Detail;

    protected override string ReasonOf(AutoOpsCommandRejected rejected) => rejected.Reason;
}
