using Persisters.Contracts;

namespace Persisters.Sagas.Tests.Support;

/// <summary>What the saga answered to one command: exactly one of the two is set.</summary>
public sealed record Answer(ExperimentCommandAccepted? Accepted, ExperimentCommandRejected? Rejected)
    : CommandAnswer<ExperimentCommandAccepted, ExperimentCommandRejected>(Accepted, Rejected)
{
    protected override string DetailOf(ExperimentCommandAccepted accepted) => accepted.Detail;

    protected override string ReasonOf(ExperimentCommandRejected rejected) => rejected.Reason;
}
