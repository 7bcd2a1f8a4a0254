using Persisters.Contracts;

namespace Persisters.Tests.Support;

/// <summary>What the auto-ops rule consumer answered to one command: exactly one of the two is set.</summary>
public sealed record RuleAnswer(AutoOpsCommandAccepted? Accepted, AutoOpsCommandRejected? Rejected)
{
    /// <exception cref="Xunit.Sdk.XunitException">The command was rejected, or accepted with another detail.</exception>
    public AutoOpsCommandAccepted ShouldBeAccepted(string? detail = null)
    {
        if (Accepted is null) throw new Xunit.Sdk.XunitException($"Expected acceptance, got rejection: {Rejected!.Reason}");
        if (detail is not null) Assert.Equal(detail, Accepted.Detail);
        return Accepted;
    }

    /// <exception cref="Xunit.Sdk.XunitException">The command was accepted, or rejected for a reason without <paramref name="reasonContains"/>.</exception>
    public AutoOpsCommandRejected ShouldBeRejected(string? reasonContains = null)
    {
        if (Rejected is null) throw new Xunit.Sdk.XunitException($"Expected rejection, got acceptance: {Accepted!.Detail}");
        if (reasonContains is not null) Assert.Contains(reasonContains, Rejected.Reason);
        return Rejected;
    }
}
