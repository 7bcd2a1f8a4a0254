namespace Persisters.Tests.Support;

/// <summary>
/// The answer to one command sent as a request: exactly one of <see cref="Accepted"/> and <see cref="Rejected"/> is set.
/// A concrete answer names where its contracts keep the acceptance detail and the rejection reason.
/// </summary>
public abstract record CommandAnswer<TAccepted, TRejected>(TAccepted? Accepted, TRejected? Rejected)
    where TAccepted : class
    where TRejected : class
{
    /// <summary>The acceptance's detail text (e.g. "already running").</summary>
    protected abstract string DetailOf(TAccepted accepted);

    /// <summary>The rejection's reason text.</summary>
    protected abstract string ReasonOf(TRejected rejected);

    /// <summary>The acceptance; with <paramref name="detail"/>, also checks its detail text equals it.</summary>
    /// <exception cref="Xunit.Sdk.XunitException">The command was rejected, or accepted with another detail.</exception>
    public TAccepted ShouldBeAccepted(string? detail = null)
    {
        if (Accepted is null) throw new Xunit.Sdk.XunitException($"Expected acceptance, got rejection: {ReasonOf(Rejected!)}");
        if (detail is not null) Assert.Equal(detail, DetailOf(Accepted));
        return Accepted;
    }

    /// <summary>The rejection; with <paramref name="reasonContains"/>, also checks its reason contains it.</summary>
    /// <exception cref="Xunit.Sdk.XunitException">The command was accepted, or rejected for a reason without <paramref name="reasonContains"/>.</exception>
    public TRejected ShouldBeRejected(string? reasonContains = null)
    {
        if (Rejected is null) throw new Xunit.Sdk.XunitException($"Expected rejection, got acceptance: {DetailOf(Accepted!)}");
        if (reasonContains is not null) Assert.Contains(reasonContains, ReasonOf(Rejected));
        return Rejected;
    }
}
