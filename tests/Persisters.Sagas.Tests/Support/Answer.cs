using Persisters.Contracts;

namespace Persisters.Sagas.Tests.Support;

/// <summary>What the saga answered to one command.</summary>
public sealed record Answer(ExperimentCommandAccepted? Accepted, ExperimentCommandRejected? Rejected)
{
    public ExperimentCommandAccepted ShouldBeAccepted(string? detail = null)
    {
        if (Accepted is null) throw new Xunit.Sdk.XunitException($"Expected acceptance, got rejection: {Rejected!.Reason}");
        if (detail is not null) Assert.Equal(detail, Accepted.Detail);
        return Accepted;
    }

    public ExperimentCommandRejected ShouldBeRejected(string? reasonContains = null)
    {
        if (Rejected is null) throw new Xunit.Sdk.XunitException($"Expected rejection, got acceptance: {Accepted!.Detail}");
        if (reasonContains is not null) Assert.Contains(reasonContains, Rejected.Reason);
        return Rejected;
    }
}
